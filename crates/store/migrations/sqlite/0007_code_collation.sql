-- Codes compare byte by byte (issue 4): the PostgreSQL twin of this migration gives department
-- codes, catalog item codes, document numbers, subject keys and identifier values the "C"
-- collation. SQLite's columns already use BINARY (byte) comparison, so nothing changes here;
-- the migration exists so that both stores carry the same versions.
SELECT 1;
