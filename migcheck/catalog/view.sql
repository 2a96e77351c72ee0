-- Views and materialized views. definition: pg_get_viewdef(oid, true), the
-- pretty-printed form: deterministic for a given catalog state like the plain form,
-- but without redundant parentheses and with one item per line, so diffs read well.
SELECT n.nspname::text COLLATE "C" AS "schema",
       c.relname::text COLLATE "C" AS name,
       ''::text COLLATE "C" AS parent,
       c.relkind = 'm' AS materialized,
       pg_get_viewdef(c.oid, true) AS definition,
       (SELECT array_agg(o ORDER BY o COLLATE "C") FROM unnest(c.reloptions) AS o) AS options,
       CASE WHEN c.relacl IS NOT NULL THEN
         NULLIF((SELECT array_agg(x.a::text ORDER BY x.a::text COLLATE "C")
                   FROM unnest(c.relacl) AS x(a)),
                (SELECT array_agg(x.a::text ORDER BY x.a::text COLLATE "C")
                   FROM unnest(acldefault('r', c.relowner)) AS x(a)))
       END AS acl,
       d.description AS comment
FROM pg_class AS c
JOIN pg_namespace AS n ON n.oid = c.relnamespace
LEFT JOIN pg_description AS d
       ON d.objoid = c.oid AND d.classoid = 'pg_class'::regclass AND d.objsubid = 0
WHERE c.relkind IN ('v', 'm')
  AND n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'
  AND c.oid NOT IN (SELECT e.objid FROM pg_depend AS e
                     WHERE e.refclassid = 'pg_extension'::regclass AND e.deptype = 'e'
                       AND e.classid = 'pg_class'::regclass)
ORDER BY "schema", parent, name;
