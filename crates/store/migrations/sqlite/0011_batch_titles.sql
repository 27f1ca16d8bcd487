-- Rows above a batch file's header taken as the sheet's title and skipped (「行政处罚信息公示表」,
-- 「填报单位：…」): kept with the batch as a JSON array of {"line", "text"}, so that what was
-- skipped can be seen later, not only in the sender's answer.
ALTER TABLE batches ADD COLUMN titles TEXT NOT NULL DEFAULT '[]';
