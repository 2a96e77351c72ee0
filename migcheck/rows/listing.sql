-- The tables the seeder gives rows to: ordinary and partitioned tables in user schemas,
-- not partitions (rows go in through their partitioned parent), not an extension's, not
-- the Alembic version table (in any schema).
-- relnatts counts dropped columns as well: it grows exactly when a column is added, which
-- is what tells the seeder that a table it filled needs more rows.
-- Run before every revision, so kept light: only user relations are read (oid >= 16384,
-- FirstNormalObjectId, through pg_class's oid index), which leaves out pg_catalog's and
-- information_schema's own tables; temporary tables (pg_temp_*) are told by their
-- persistence, toast tables by their kind.
SELECT c.oid, n.nspname::text AS "schema", c.relname::text AS name, c.relnatts AS columns
FROM pg_class AS c
JOIN pg_namespace AS n ON n.oid = c.relnamespace
WHERE c.oid >= 16384
  AND c.relkind IN ('r', 'p')
  AND NOT c.relispartition
  AND c.relpersistence <> 't'
  AND n.nspname <> 'information_schema'
  AND c.relname <> %(version_table)s
  AND c.oid NOT IN (SELECT e.objid FROM pg_depend AS e
                     WHERE e.refclassid = 'pg_extension'::regclass AND e.deptype = 'e'
                       AND e.classid = 'pg_class'::regclass);
