-- Collations created in user schemas (CREATE COLLATION).
-- locale: the ICU / builtin locale (colliculocale on PG 15-16, colllocale on 17+; on
-- PG 13-14 an ICU collation keeps its locale in lc_collate/lc_ctype); icu_rules: PG 16+.
-- Version-specific columns are read through to_jsonb so one query parses everywhere.
SELECT n.nspname::text COLLATE "C" AS "schema",
       co.collname::text COLLATE "C" AS name,
       ''::text COLLATE "C" AS parent,
       CASE co.collprovider WHEN 'd' THEN 'default' WHEN 'c' THEN 'libc' WHEN 'i' THEN 'icu'
                            WHEN 'b' THEN 'builtin' END AS provider,
       co.collcollate::text AS lc_collate,
       co.collctype::text AS lc_ctype,
       coalesce(j.r ->> 'colllocale', j.r ->> 'colliculocale') AS locale,
       j.r ->> 'collicurules' AS icu_rules,
       co.collisdeterministic AS deterministic,
       d.description AS comment
FROM pg_collation AS co
JOIN pg_namespace AS n ON n.oid = co.collnamespace
CROSS JOIN LATERAL (SELECT to_jsonb(co) AS r) AS j
LEFT JOIN pg_description AS d
       ON d.objoid = co.oid AND d.classoid = 'pg_collation'::regclass AND d.objsubid = 0
WHERE n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'
  AND co.oid NOT IN (SELECT e.objid FROM pg_depend AS e
                      WHERE e.refclassid = 'pg_extension'::regclass AND e.deptype = 'e'
                        AND e.classid = 'pg_collation'::regclass)
ORDER BY "schema", parent, name;
