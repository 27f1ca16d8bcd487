-- Natural persons without a 公民身份号码 (foreigners, residents of Hong Kong, Macao and Taiwan)
-- are identified by another identity document, written KIND:NUMBER (the registry's DocKind):
-- the 双公示 证件类型 护照 / 港澳居民来往内地通行证 / 台湾居民来往大陆通行证 / 外国人永久居留身份证.
ALTER TABLE subjects ADD COLUMN person_doc TEXT;
ALTER TABLE subject_versions ADD COLUMN person_doc TEXT;
