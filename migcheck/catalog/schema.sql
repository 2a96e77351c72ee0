-- Schemas outside the system ones (pg_*, information_schema) that no extension owns.
-- acl: sorted privileges, NULL when they equal the built-in default (never set, or
-- granted and later revoked back to the default).
SELECT n.nspname::text AS "schema",
       n.nspname::text AS name,
       ''::text AS parent,
       (SELECT d.description FROM pg_description AS d
         WHERE d.objoid = n.oid AND d.classoid = 'pg_namespace'::regclass AND d.objsubid = 0)
         AS comment,
       CASE WHEN n.nspacl IS NOT NULL THEN
         NULLIF((SELECT array_agg(x.a::text ORDER BY x.a::text COLLATE "C")
                   FROM unnest(n.nspacl) AS x(a)),
                (SELECT array_agg(x.a::text ORDER BY x.a::text COLLATE "C")
                   FROM unnest(acldefault('n', n.nspowner)) AS x(a)))
       END AS acl
FROM pg_namespace AS n
WHERE n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'
  AND n.oid NOT IN (SELECT e.objid FROM pg_depend AS e
                     WHERE e.refclassid = 'pg_extension'::regclass AND e.deptype = 'e'
                       AND e.classid = 'pg_namespace'::regclass)
ORDER BY n.nspname;
