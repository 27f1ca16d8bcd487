-- The completeness rate (完整率, issue 4 §5) counts, per record, the optional fields that apply to
-- its subject: a natural person has no organisation codes or legal representative, an
-- organisation no personal document, and legacy-only fields do not count. Each record now
-- stores that denominator beside filled_optional; records stored before keep NULL and are
-- counted against all the item's optional fields, as they were.
ALTER TABLE records ADD COLUMN applicable_optional BIGINT;
