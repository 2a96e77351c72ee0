-- What the rows of the tables being filled must satisfy, by the names of the columns
-- each rule involves:
--   p, u  primary key and unique constraints; x  exclusion constraints;
--   i     unique indexes that back no constraint, with every column they use (keys,
--         expressions and predicate, from pg_depend): the seeder keeps all of them distinct;
--   f     foreign keys, with the referenced table and columns;
--   c     check constraints, their definitions (literals in them are values to try);
--   b     partition bounds of the whole partition tree, for the partition key columns of
--         every level.
WITH filled AS (SELECT unnest(%(tables)s::oid[]) AS oid)
SELECT k.conrelid AS "table", k.contype::text AS kind, k.conname::text AS name,
       ARRAY(SELECT a.attname::text FROM unnest(k.conkey) WITH ORDINALITY AS u(num, i)
               JOIN pg_attribute AS a ON a.attrelid = k.conrelid AND a.attnum = u.num
              ORDER BY u.i) AS columns,
       tn.nspname::text AS target_schema, tc.relname::text AS target_name,
       ARRAY(SELECT a.attname::text FROM unnest(k.confkey) WITH ORDINALITY AS u(num, i)
               JOIN pg_attribute AS a ON a.attrelid = k.confrelid AND a.attnum = u.num
              ORDER BY u.i) AS target_columns,
       k.confrelid AS target, k.condeferrable AS deferrable,
       pg_get_constraintdef(k.oid) AS definition
FROM pg_constraint AS k
LEFT JOIN pg_class AS tc ON tc.oid = k.confrelid
LEFT JOIN pg_namespace AS tn ON tn.oid = tc.relnamespace
WHERE k.conrelid IN (SELECT oid FROM filled) AND k.contype IN ('p', 'u', 'x', 'f', 'c')
UNION ALL
SELECT i.indrelid, 'i', ic.relname::text,
       ARRAY(SELECT a.attname::text FROM pg_attribute AS a
              WHERE a.attrelid = i.indrelid AND a.attnum > 0
                AND (a.attnum = ANY(i.indkey::int2[])
                     OR a.attnum IN (SELECT d.refobjsubid FROM pg_depend AS d
                                      WHERE d.classid = 'pg_class'::regclass
                                        AND d.objid = i.indexrelid
                                        AND d.refclassid = 'pg_class'::regclass
                                        AND d.refobjid = i.indrelid))
              ORDER BY a.attnum),
       NULL, NULL, NULL, NULL, NULL, NULL
FROM pg_index AS i
JOIN pg_class AS ic ON ic.oid = i.indexrelid
WHERE i.indrelid IN (SELECT oid FROM filled) AND i.indisunique
  AND NOT EXISTS (SELECT FROM pg_constraint AS k WHERE k.conindid = i.indexrelid
                    AND k.conrelid = i.indrelid)
UNION ALL
SELECT p.partrelid, 'b', NULL,
       ARRAY(SELECT DISTINCT a.attname::text
               FROM pg_partition_tree(p.partrelid) AS tree
               JOIN pg_partitioned_table AS level ON level.partrelid = tree.relid
               JOIN pg_attribute AS a ON a.attrelid = tree.relid
                                     AND a.attnum = ANY(level.partattrs::int2[])),
       NULL, NULL, NULL, NULL, NULL,
       (SELECT string_agg(pg_get_expr(c.relpartbound, c.oid), ' ' ORDER BY c.relname)
          FROM pg_partition_tree(p.partrelid) AS tree
          JOIN pg_class AS c ON c.oid = tree.relid
         WHERE tree.level > 0)
FROM pg_partitioned_table AS p
WHERE p.partrelid IN (SELECT oid FROM filled)
ORDER BY 1, 2, 3;
