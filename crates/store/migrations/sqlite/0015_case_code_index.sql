-- Opening a case looks for an open case of the same kind for the code (and, for a 名称与代码
-- 不符 case, the same name) before inserting one (records::OPEN_CASE_ONCE,
-- OPEN_NAME_CASE_ONCE). With only the (status, kind) index each look read every open case of
-- the kind, so a file whose rows went to review slowed down with the square of their number:
-- 10,000 such rows took 23 s on SQLite and held the store's one writer meanwhile (found by a QA
-- pass). Indexed by code, each look is one probe.
CREATE INDEX code_cases_code ON code_cases (code, kind, status);
