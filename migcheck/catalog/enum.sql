-- Enum types: labels in their sort order.
SELECT n.nspname::text COLLATE "C" AS "schema",
       t.typname::text COLLATE "C" AS name,
       ''::text COLLATE "C" AS parent,
       (SELECT array_agg(e.enumlabel::text ORDER BY e.enumsortorder)
          FROM pg_enum AS e WHERE e.enumtypid = t.oid) AS labels,
       CASE WHEN t.typacl IS NOT NULL THEN
         NULLIF((SELECT array_agg(x.a::text ORDER BY x.a::text COLLATE "C")
                   FROM unnest(t.typacl) AS x(a)),
                (SELECT array_agg(x.a::text ORDER BY x.a::text COLLATE "C")
                   FROM unnest(acldefault('T', t.typowner)) AS x(a)))
       END AS acl,
       d.description AS comment
FROM pg_type AS t
JOIN pg_namespace AS n ON n.oid = t.typnamespace
LEFT JOIN pg_description AS d
       ON d.objoid = t.oid AND d.classoid = 'pg_type'::regclass AND d.objsubid = 0
WHERE t.typtype = 'e'
  AND n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'
  AND t.oid NOT IN (SELECT e.objid FROM pg_depend AS e
                     WHERE e.refclassid = 'pg_extension'::regclass AND e.deptype = 'e'
                       AND e.classid = 'pg_type'::regclass)
ORDER BY "schema", parent, name;
