-- Records published while valid leave the portal when their validity ends (issue 4). Batches
-- now store a licence's 有效期至 (the catalog field with role `valid_to`) as the end of its
-- publication; records stored before this version have no end. This sets it for the default
-- catalog's items published while valid. Records of items defined by an imported catalog under
-- other field codes keep no end until they are sent again. Safe to run twice.
UPDATE records r SET publish_until = v.valid_to
FROM (
    SELECT id, CASE WHEN t ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' THEN t::date END AS valid_to
    FROM (
        SELECT id, fields::jsonb ->> CASE item
            WHEN 'registration' THEN 'DJ_YYQXZI'
            WHEN 'license' THEN 'XK_YXQZI'
            WHEN 'commitment' THEN 'CN_YXQZI'
            WHEN 'honour' THEN 'RY_YXQZI' END AS t
        FROM records
        WHERE item IN ('registration', 'license', 'commitment', 'honour')
            AND publish_from IS NOT NULL
    ) f
) v
WHERE r.id = v.id
    AND v.valid_to IS NOT NULL
    AND (r.publish_until IS NULL OR r.publish_until > v.valid_to);
