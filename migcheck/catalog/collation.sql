-- Collations created in user schemas (CREATE COLLATION).
-- locale: the ICU / builtin locale (colliculocale on PG 15-16, colllocale on 17+; on
-- PG 13-14 an ICU collation keeps its locale in lc_collate/lc_ctype); icu_rules: PG 16+.
-- Version-specific columns are read through to_jsonb so one query parses everywhere.
-- "oid >= 16384": see enum.sql (skips the hundreds of built-in ICU collations).
-- comment: all comments of the kind are read once per query (an InitPlan) and looked up
-- by oid; user objects always have oids >= 16384 (FirstNormalObjectId), which lets the
-- planner read only their comments through pg_description's index.
SELECT n.nspname::text AS "schema",
       co.collname::text AS name,
       ''::text AS parent,
       CASE co.collprovider WHEN 'd' THEN 'default' WHEN 'c' THEN 'libc' WHEN 'i' THEN 'icu'
                            WHEN 'b' THEN 'builtin' END AS provider,
       co.collcollate::text AS lc_collate,
       co.collctype::text AS lc_ctype,
       coalesce(j.r ->> 'colllocale', j.r ->> 'colliculocale') AS locale,
       j.r ->> 'collicurules' AS icu_rules,
       co.collisdeterministic AS deterministic,
       (SELECT jsonb_object_agg(d.objoid::text, d.description) FROM pg_description AS d
         WHERE d.objoid >= 16384 AND d.classoid = 'pg_collation'::regclass AND d.objsubid = 0)
         ->> co.oid::text AS comment
FROM pg_collation AS co
JOIN pg_namespace AS n ON n.oid = co.collnamespace
CROSS JOIN LATERAL (SELECT to_jsonb(co) AS r) AS j
WHERE co.oid >= 16384
  AND n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'
  AND co.oid NOT IN (SELECT e.objid FROM pg_depend AS e
                      WHERE e.refclassid = 'pg_extension'::regclass AND e.deptype = 'e'
                        AND e.classid = 'pg_collation'::regclass)
ORDER BY n.nspname, co.collname;
