-- Table constraints: primary key, unique, check, foreign key, exclusion (not the
-- NOT NULL constraints that PG 18 catalogs: see column.not_null; not constraint
-- triggers: see trigger.sql). Constraints cloned onto partitions are real and listed;
-- the extra rows PostgreSQL adds for a foreign key that references a partitioned
-- table (one per referenced partition, on the same referencing table, named
-- differently across versions) are internal and left out.
-- Performance: one LATERAL per user table through pg_constraint's conrelid index
-- (see column.sql for why).
-- comment: all comments of the kind are read once per query (an InitPlan) and looked up
-- by oid; user objects always have oids >= 16384 (FirstNormalObjectId), which lets the
-- planner read only their comments through pg_description's index.
SELECT n.nspname::text AS "schema",
       k.conname::text AS name,
       c.relname::text AS parent,
       CASE k.contype WHEN 'p' THEN 'primary key' WHEN 'u' THEN 'unique' WHEN 'c' THEN 'check'
                      WHEN 'f' THEN 'foreign key' WHEN 'x' THEN 'exclusion' END AS type,
       pg_get_constraintdef(k.oid, true) AS definition,
       k.condeferrable AS deferrable,
       k.condeferred AS deferred,
       k.convalidated AS validated,
       (SELECT jsonb_object_agg(d.objoid::text, d.description) FROM pg_description AS d
         WHERE d.objoid >= 16384 AND d.classoid = 'pg_constraint'::regclass AND d.objsubid = 0)
         ->> k.oid::text AS comment
FROM pg_namespace AS n
JOIN pg_class AS c ON c.relnamespace = n.oid
JOIN LATERAL (
  SELECT x.oid, x.conname, x.contype, x.condeferrable, x.condeferred, x.convalidated
    FROM pg_constraint AS x
   WHERE x.conrelid = c.oid AND x.contype IN ('p', 'u', 'c', 'f', 'x')
     AND (x.conparentid = 0
          OR NOT EXISTS (SELECT 1 FROM pg_constraint AS px
                          WHERE px.oid = x.conparentid AND px.conrelid = x.conrelid))
) AS k ON true
WHERE c.relkind IN ('r', 'p')
  AND n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'
  AND c.relname <> %(version_table)s
  AND c.oid NOT IN (SELECT e.objid FROM pg_depend AS e
                     WHERE e.refclassid = 'pg_extension'::regclass AND e.deptype = 'e'
                       AND e.classid = 'pg_class'::regclass)
ORDER BY n.nspname, c.relname, k.conname;
