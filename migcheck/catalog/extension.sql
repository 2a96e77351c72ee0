-- Installed extensions (their member objects are excluded from every other kind).
-- schema: the extension's schema (pg_catalog for plpgsql).
SELECT n.nspname::text AS "schema",
       x.extname::text AS name,
       ''::text AS parent,
       x.extversion AS version,
       (SELECT d.description FROM pg_description AS d
         WHERE d.objoid = x.oid AND d.classoid = 'pg_extension'::regclass AND d.objsubid = 0)
         AS comment
FROM pg_extension AS x
JOIN pg_namespace AS n ON n.oid = x.extnamespace
ORDER BY n.nspname, x.extname;
