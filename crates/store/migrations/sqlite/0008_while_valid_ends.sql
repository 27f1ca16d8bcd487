-- Records published while valid leave the portal when their validity ends (issue 4). Batches
-- now store a licence's 有效期至 (the catalog field with role `valid_to`) as the end of its
-- publication; records stored before this version have no end. This sets it for the default
-- catalog's items published while valid. Records of items defined by an imported catalog under
-- other field codes keep no end until they are sent again. Safe to run twice.
UPDATE records SET publish_until = json_extract(fields, '$.' || CASE item
        WHEN 'registration' THEN 'DJ_YYQXZI'
        WHEN 'license' THEN 'XK_YXQZI'
        WHEN 'commitment' THEN 'CN_YXQZI'
        WHEN 'honour' THEN 'RY_YXQZI' END)
WHERE item IN ('registration', 'license', 'commitment', 'honour')
    AND publish_from IS NOT NULL
    AND json_valid(fields)
    AND json_extract(fields, '$.' || CASE item
        WHEN 'registration' THEN 'DJ_YYQXZI'
        WHEN 'license' THEN 'XK_YXQZI'
        WHEN 'commitment' THEN 'CN_YXQZI'
        WHEN 'honour' THEN 'RY_YXQZI' END) GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'
    AND (publish_until IS NULL OR publish_until > json_extract(fields, '$.' || CASE item
        WHEN 'registration' THEN 'DJ_YYQXZI'
        WHEN 'license' THEN 'XK_YXQZI'
        WHEN 'commitment' THEN 'CN_YXQZI'
        WHEN 'honour' THEN 'RY_YXQZI' END));
