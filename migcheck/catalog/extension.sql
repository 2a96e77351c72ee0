-- Installed extensions (their member objects are excluded from every other kind).
SELECT n.nspname::text COLLATE "C" AS "schema",
       x.extname::text COLLATE "C" AS name,
       ''::text COLLATE "C" AS parent,
       x.extversion AS version,
       d.description AS comment
FROM pg_extension AS x
JOIN pg_namespace AS n ON n.oid = x.extnamespace
LEFT JOIN pg_description AS d
       ON d.objoid = x.oid AND d.classoid = 'pg_extension'::regclass AND d.objsubid = 0
ORDER BY "schema", parent, name;
