-- Schemas outside the system ones (pg_*, information_schema) that no extension owns.
-- acl: sorted privileges, NULL when they equal the built-in default (never set, or
-- granted and revoked back to the default).
SELECT n.nspname::text COLLATE "C" AS "schema",
       n.nspname::text COLLATE "C" AS name,
       ''::text COLLATE "C" AS parent,
       d.description AS comment,
       CASE WHEN n.nspacl IS NOT NULL THEN
         NULLIF((SELECT array_agg(x.a::text ORDER BY x.a::text COLLATE "C")
                   FROM unnest(n.nspacl) AS x(a)),
                (SELECT array_agg(x.a::text ORDER BY x.a::text COLLATE "C")
                   FROM unnest(acldefault('n', n.nspowner)) AS x(a)))
       END AS acl
FROM pg_namespace AS n
LEFT JOIN pg_description AS d
       ON d.objoid = n.oid AND d.classoid = 'pg_namespace'::regclass AND d.objsubid = 0
WHERE n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'
  AND n.oid NOT IN (SELECT e.objid FROM pg_depend AS e
                     WHERE e.refclassid = 'pg_extension'::regclass AND e.deptype = 'e'
                       AND e.classid = 'pg_namespace'::regclass)
ORDER BY "schema", parent, name;
