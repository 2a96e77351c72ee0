-- Table constraints: primary key, unique, check, foreign key, exclusion (not the
-- NOT NULL constraints that PG 18 catalogs: see column.not_null; not constraint
-- triggers: see trigger.sql). Constraints cloned onto partitions are real and listed;
-- the extra rows PostgreSQL adds for a foreign key that references a partitioned
-- table (one per referenced partition, on the same referencing table) are internal
-- and left out.
SELECT n.nspname::text COLLATE "C" AS "schema",
       k.conname::text COLLATE "C" AS name,
       c.relname::text COLLATE "C" AS parent,
       CASE k.contype WHEN 'p' THEN 'primary key' WHEN 'u' THEN 'unique' WHEN 'c' THEN 'check'
                      WHEN 'f' THEN 'foreign key' WHEN 'x' THEN 'exclusion' END AS type,
       pg_get_constraintdef(k.oid, true) AS definition,
       k.condeferrable AS deferrable,
       k.condeferred AS deferred,
       k.convalidated AS validated,
       d.description AS comment
FROM pg_constraint AS k
JOIN pg_class AS c ON c.oid = k.conrelid
JOIN pg_namespace AS n ON n.oid = c.relnamespace
LEFT JOIN pg_constraint AS pk ON pk.oid = k.conparentid
LEFT JOIN pg_description AS d
       ON d.objoid = k.oid AND d.classoid = 'pg_constraint'::regclass AND d.objsubid = 0
WHERE k.contype IN ('p', 'u', 'c', 'f', 'x')
  AND (pk.oid IS NULL OR pk.conrelid <> k.conrelid)
  AND n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'
  AND c.relname <> %(version_table)s
  AND c.oid NOT IN (SELECT e.objid FROM pg_depend AS e
                     WHERE e.refclassid = 'pg_extension'::regclass AND e.deptype = 'e'
                       AND e.classid = 'pg_class'::regclass)
ORDER BY "schema", parent, name;
