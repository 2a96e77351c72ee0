-- The tables whose rows the walk reads (migcheck/rows/reading.py): ordinary and
-- partitioned tables (relkind r, p) in user schemas, except partitions (their parent's
-- rows include theirs), the Alembic version table (that name in any schema) and tables
-- that belong to an extension.
-- columns: live columns in attnum order (the order of the values read).
-- key: the primary key's columns in the key's order; NULL when none. A partitioned
-- table's primary key is its own pg_index row (a partitioned index), so no special case.
-- generated: the columns a sequence fills: identity columns, and columns whose default
-- depends on a sequence (serial, or a hand-written nextval('s')); NULL when none. The
-- dependency, rather than the default's text, is what pg_depend has indexed; only
-- nextval('s'::text), which binds the sequence late, escapes it.
-- Performance: one row per table, the three lists as scalar subqueries on the catalogs'
-- indexes (attrelid, indrelid, the depender of pg_depend), so the cost follows the
-- number of user tables, not the size of the catalogs; no pg_get_expr().
SELECT n.nspname::text AS "schema",
       c.relname::text AS name,
       c.relkind = 'p' AS partitioned,
       (SELECT array_agg(a.attname::text ORDER BY a.attnum)
          FROM pg_attribute AS a
         WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped) AS columns,
       (SELECT array_agg(a.attname::text ORDER BY k.position)
          FROM pg_index AS i
          CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, position)
          JOIN pg_attribute AS a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
         WHERE i.indrelid = c.oid AND i.indisprimary) AS key,
       (SELECT array_agg(a.attname::text ORDER BY a.attnum)
          FROM pg_attribute AS a
         WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
           AND (a.attidentity <> ''
                OR a.atthasdef AND EXISTS (
                     SELECT FROM pg_attrdef AS d
                     JOIN pg_depend AS s ON s.classid = 'pg_attrdef'::regclass
                                        AND s.objid = d.oid
                                        AND s.refclassid = 'pg_class'::regclass
                     JOIN pg_class AS q ON q.oid = s.refobjid AND q.relkind = 'S'
                    WHERE d.adrelid = a.attrelid AND d.adnum = a.attnum))
       ) AS generated
FROM pg_namespace AS n
JOIN pg_class AS c ON c.relnamespace = n.oid
WHERE c.relkind IN ('r', 'p')
  AND NOT c.relispartition
  AND n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'
  AND c.relname <> %(version_table)s
  AND c.oid NOT IN (SELECT e.objid FROM pg_depend AS e
                     WHERE e.refclassid = 'pg_extension'::regclass AND e.deptype = 'e'
                       AND e.classid = 'pg_class'::regclass)
-- The same order every time: the same rows statement, which psycopg then prepares.
ORDER BY n.nspname, c.relname;
