-- Columns of tables (r, p), views (v) and materialized views (m); parent = relation.
-- position: 1-based among live (non-dropped, non-system) columns, so dropping and
-- re-adding a column elsewhere in the order shows up, while attnum never does.
-- identity_options: the identity sequence's parameters as in GENERATED ... AS IDENTITY (...).
-- generated: the generation expression; generated_kind: 'stored' or 'virtual' (PG 18).
-- collation: only when it differs from the column type's default collation; written as
-- regcollation does (qualified when not visible in the search_path, like format_type).
-- acl: column privileges (attacl), sorted; NULL when none.
--
-- Performance: the catalog statistics of a fresh database describe an empty one, so
-- the planner badly underestimates user objects. Every lookup is therefore either a
-- per-relation LATERAL driven by an index (attrelid, adrelid, objoid) or a join on an
-- oid, which stay cheap whatever plan is chosen.
SELECT n.nspname::text AS "schema",
       a.attname::text AS name,
       c.relname::text AS parent,
       format_type(a.atttypid, a.atttypmod) AS type,
       a.attnotnull AS not_null,
       -- defaults never reference columns, so no relation context (cheaper) is needed
       CASE WHEN a.attgenerated = '' THEN pg_get_expr(a.adbin, 0, true) END AS "default",
       CASE a.attidentity WHEN 'a' THEN 'always' WHEN 'd' THEN 'by default' END AS identity,
       CASE WHEN a.attidentity <> '' THEN
         -- one pass over pg_sequence (an InitPlan, run at most once per query), then a
         -- keyed lookup of the identity sequence found through pg_depend's index
         (SELECT jsonb_object_agg(s.seqrelid::text,
                   'START WITH ' || s.seqstart || ' INCREMENT BY ' || s.seqincrement
                   || ' MINVALUE ' || s.seqmin || ' MAXVALUE ' || s.seqmax || ' CACHE ' || s.seqcache
                   || CASE WHEN s.seqcycle THEN ' CYCLE' ELSE ' NO CYCLE' END)
            FROM pg_sequence AS s)
         ->> (SELECT sd.objid::text FROM pg_depend AS sd
               WHERE sd.refclassid = 'pg_class'::regclass AND sd.refobjid = a.attrelid
                 AND sd.refobjsubid = a.attnum AND sd.classid = 'pg_class'::regclass
                 AND sd.deptype = 'i')
       END AS identity_options,
       CASE WHEN a.attgenerated <> '' THEN pg_get_expr(a.adbin, a.attrelid, true) END AS generated,
       CASE a.attgenerated WHEN 's' THEN 'stored' WHEN 'v' THEN 'virtual' END AS generated_kind,
       CASE WHEN a.attcollation <> t.typcollation THEN a.attcollation::regcollation::text END
         AS collation,
       a.position::integer AS position,
       CASE WHEN cardinality(a.attacl) > 0 THEN
         (SELECT array_agg(x.a::text ORDER BY x.a::text COLLATE "C") FROM unnest(a.attacl) AS x(a))
       END AS acl,
       a.description AS comment
FROM pg_namespace AS n
JOIN pg_class AS c ON c.relnamespace = n.oid
JOIN LATERAL (
  SELECT a.attrelid, a.attnum, a.attname, a.atttypid, a.atttypmod, a.attnotnull,
         a.attidentity, a.attgenerated, a.attcollation, a.attacl, ad.adbin, d.description,
         row_number() OVER (ORDER BY a.attnum) AS position
    FROM pg_attribute AS a
    LEFT JOIN pg_attrdef AS ad ON ad.adrelid = c.oid AND ad.adnum = a.attnum
    LEFT JOIN pg_description AS d
           ON d.objoid = c.oid AND d.classoid = 'pg_class'::regclass AND d.objsubid = a.attnum
   WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
) AS a ON true
JOIN pg_type AS t ON t.oid = a.atttypid
WHERE c.relkind IN ('r', 'p', 'v', 'm')
  AND n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'
  AND NOT (c.relname = %(version_table)s AND c.relkind IN ('r', 'p'))
  AND c.oid NOT IN (SELECT e.objid FROM pg_depend AS e
                     WHERE e.refclassid = 'pg_extension'::regclass AND e.deptype = 'e'
                       AND e.classid = 'pg_class'::regclass)
-- name columns sort bytewise ("C"), like Python strings: schema, parent, name
ORDER BY n.nspname, c.relname, a.attname;
