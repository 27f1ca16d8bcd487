-- Codes compare byte by byte (issue 4). Department codes, catalog item codes, document numbers
-- (文书号), subject keys and identifier values are codes, not words: they are matched for
-- equality and never sorted for a reader. Under the database's default collation every
-- comparison in their indexes went through the locale's collation routine, which made the index
-- inserts of a large batch the costliest part of writing it. "C" compares bytes, as SQLite's
-- BINARY collation already does for the same columns, so both stores now order them alike.
-- The column type stays text, so no table is rewritten; the indexes on these columns are rebuilt
-- under an exclusive lock on their tables, which on a large database takes a while: upgrade in a
-- quiet hour.
ALTER TABLE records
    ALTER COLUMN department TYPE TEXT COLLATE "C",
    ALTER COLUMN item TYPE TEXT COLLATE "C",
    ALTER COLUMN doc_no TYPE TEXT COLLATE "C";
ALTER TABLE subject_identifiers
    ALTER COLUMN value TYPE TEXT COLLATE "C",
    ALTER COLUMN scheme TYPE TEXT COLLATE "C";
ALTER TABLE subjects
    ALTER COLUMN key TYPE TEXT COLLATE "C";
