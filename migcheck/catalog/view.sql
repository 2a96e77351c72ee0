-- Views and materialized views. definition: pg_get_viewdef(oid, true), the
-- pretty-printed form: as deterministic as the plain form for a given catalog state
-- (both depend only on the stored query tree and the search_path), but without
-- redundant parentheses and with one select item / clause per line, so that a change
-- shows up as a readable line diff.
-- comment: all comments of the kind are read once per query (an InitPlan) and looked up
-- by oid; user objects always have oids >= 16384 (FirstNormalObjectId), which lets the
-- planner read only their comments through pg_description's index.
SELECT n.nspname::text AS "schema",
       c.relname::text AS name,
       ''::text AS parent,
       c.relkind = 'm' AS materialized,
       pg_get_viewdef(c.oid, true) AS definition,
       CASE WHEN c.reloptions IS NOT NULL THEN
         (SELECT array_agg(o ORDER BY o COLLATE "C") FROM unnest(c.reloptions) AS o)
       END AS options,
       CASE WHEN c.relacl IS NOT NULL THEN
         NULLIF((SELECT array_agg(x.a::text ORDER BY x.a::text COLLATE "C")
                   FROM unnest(c.relacl) AS x(a)),
                (SELECT array_agg(x.a::text ORDER BY x.a::text COLLATE "C")
                   FROM unnest(acldefault('r', c.relowner)) AS x(a)))
       END AS acl,
       (SELECT jsonb_object_agg(d.objoid::text, d.description) FROM pg_description AS d
         WHERE d.objoid >= 16384 AND d.classoid = 'pg_class'::regclass AND d.objsubid = 0)
         ->> c.oid::text AS comment
FROM pg_namespace AS n
JOIN pg_class AS c ON c.relnamespace = n.oid
WHERE c.relkind IN ('v', 'm')
  AND n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'
  AND c.oid NOT IN (SELECT e.objid FROM pg_depend AS e
                     WHERE e.refclassid = 'pg_extension'::regclass AND e.deptype = 'e'
                       AND e.classid = 'pg_class'::regclass)
ORDER BY n.nspname, c.relname;
