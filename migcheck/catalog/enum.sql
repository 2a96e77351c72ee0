-- Enum types: labels in their sort order.
-- "oid >= 16384" (FirstNormalObjectId: objects created after initdb always get an oid
-- at least that large) only lets the planner skip the built-in types.
-- comment: all comments of the kind are read once per query (an InitPlan) and looked up
-- by oid; user objects always have oids >= 16384 (FirstNormalObjectId), which lets the
-- planner read only their comments through pg_description's index.
SELECT n.nspname::text AS "schema",
       t.typname::text AS name,
       ''::text AS parent,
       (SELECT array_agg(e.enumlabel::text ORDER BY e.enumsortorder)
          FROM pg_enum AS e WHERE e.enumtypid = t.oid) AS labels,
       CASE WHEN t.typacl IS NOT NULL THEN
         NULLIF((SELECT array_agg(x.a::text ORDER BY x.a::text COLLATE "C")
                   FROM unnest(t.typacl) AS x(a)),
                (SELECT array_agg(x.a::text ORDER BY x.a::text COLLATE "C")
                   FROM unnest(acldefault('T', t.typowner)) AS x(a)))
       END AS acl,
       (SELECT jsonb_object_agg(d.objoid::text, d.description) FROM pg_description AS d
         WHERE d.objoid >= 16384 AND d.classoid = 'pg_type'::regclass AND d.objsubid = 0)
         ->> t.oid::text AS comment
FROM pg_type AS t
JOIN pg_namespace AS n ON n.oid = t.typnamespace
WHERE t.oid >= 16384 AND t.typtype = 'e'
  AND n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'
  AND t.oid NOT IN (SELECT e.objid FROM pg_depend AS e
                     WHERE e.refclassid = 'pg_extension'::regclass AND e.deptype = 'e'
                       AND e.classid = 'pg_type'::regclass)
ORDER BY n.nspname, t.typname;
