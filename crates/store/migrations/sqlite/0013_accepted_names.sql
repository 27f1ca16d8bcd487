-- Names a reviewer accepted as a subject's own when dismissing a 名称与代码不符 case (found not
-- to be an error: an abbreviation, 有限公司 for 有限责任公司, a name in Latin letters). A later
-- row under such a name is not held again; the case that accepted it says who and why.
CREATE TABLE subject_accepted_names (
    subject_id INTEGER NOT NULL REFERENCES subjects (id),
    name TEXT NOT NULL,
    case_id INTEGER NOT NULL REFERENCES code_cases (id),
    PRIMARY KEY (subject_id, name)
);
