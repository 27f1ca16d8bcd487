-- A record's fields in a compact form: a batch written with a field layout (the catalog item's
-- field codes in schema order, as a JSON array) stores each record's fields as a JSON array of
-- values aligned with it (null where the row had no value) instead of an object that repeats
-- every field code in every record. Records of batches without a layout (all written before
-- this version) keep their objects; readers take either form. The fields' hash is over the
-- field codes and values (chengxin_catalog::row_hash), so it does not change with the form.
ALTER TABLE batches ADD COLUMN field_layout TEXT;
