-- Columns of tables (r, p), views (v) and materialized views (m); parent = relation.
-- position: 1-based among live (non-dropped, non-system) columns, so dropping and
-- re-adding a column elsewhere in the order shows up, while attnum never does.
-- identity_options: the identity sequence's parameters as in GENERATED ... AS IDENTITY (...).
-- generated: the generation expression; generated_kind: 'stored' or 'virtual' (PG 18).
-- collation: only when it differs from the column type's default collation.
SELECT n.nspname::text COLLATE "C" AS "schema",
       a.attname::text COLLATE "C" AS name,
       c.relname::text COLLATE "C" AS parent,
       format_type(a.atttypid, a.atttypmod) AS type,
       a.attnotnull AS not_null,
       CASE WHEN a.attgenerated = '' THEN pg_get_expr(ad.adbin, ad.adrelid, true) END AS "default",
       CASE a.attidentity WHEN 'a' THEN 'always' WHEN 'd' THEN 'by default' END AS identity,
       CASE WHEN a.attidentity <> '' THEN
         (SELECT 'START WITH ' || s.seqstart || ' INCREMENT BY ' || s.seqincrement
                 || ' MINVALUE ' || s.seqmin || ' MAXVALUE ' || s.seqmax
                 || ' CACHE ' || s.seqcache
                 || CASE WHEN s.seqcycle THEN ' CYCLE' ELSE ' NO CYCLE' END
            FROM pg_depend AS sd
            JOIN pg_sequence AS s ON s.seqrelid = sd.objid
           WHERE sd.refclassid = 'pg_class'::regclass AND sd.refobjid = a.attrelid
             AND sd.refobjsubid = a.attnum AND sd.classid = 'pg_class'::regclass
             AND sd.deptype = 'i')
       END AS identity_options,
       CASE WHEN a.attgenerated <> '' THEN pg_get_expr(ad.adbin, ad.adrelid, true) END AS generated,
       CASE a.attgenerated WHEN 's' THEN 'stored' WHEN 'v' THEN 'virtual' END AS generated_kind,
       CASE WHEN a.attcollation <> t.typcollation THEN
         (SELECT CASE WHEN co.collnamespace = 'pg_catalog'::regnamespace THEN quote_ident(co.collname)
                      ELSE quote_ident(cn.nspname) || '.' || quote_ident(co.collname) END
            FROM pg_collation AS co JOIN pg_namespace AS cn ON cn.oid = co.collnamespace
           WHERE co.oid = a.attcollation)
       END AS collation,
       (row_number() OVER (PARTITION BY a.attrelid ORDER BY a.attnum))::integer AS position,
       CASE WHEN cardinality(a.attacl) > 0 THEN
         (SELECT array_agg(x.a::text ORDER BY x.a::text COLLATE "C") FROM unnest(a.attacl) AS x(a))
       END AS acl,
       d.description AS comment
FROM pg_class AS c
JOIN pg_namespace AS n ON n.oid = c.relnamespace
JOIN pg_attribute AS a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
JOIN pg_type AS t ON t.oid = a.atttypid
LEFT JOIN pg_attrdef AS ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
LEFT JOIN pg_description AS d
       ON d.objoid = c.oid AND d.classoid = 'pg_class'::regclass AND d.objsubid = a.attnum
WHERE c.relkind IN ('r', 'p', 'v', 'm')
  AND n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'
  AND NOT (c.relname = %(version_table)s AND c.relkind IN ('r', 'p'))
  AND c.oid NOT IN (SELECT e.objid FROM pg_depend AS e
                     WHERE e.refclassid = 'pg_extension'::regclass AND e.deptype = 'e'
                       AND e.classid = 'pg_class'::regclass)
ORDER BY "schema", parent, name;
