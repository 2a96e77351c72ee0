-- ALTER DEFAULT PRIVILEGES entries. schema: the IN SCHEMA schema ('' for global
-- entries); name: the object class ('tables', 'sequences', 'functions', 'types',
-- 'schemas', 'large objects'); parent: the FOR ROLE role. acl: sorted privileges.
SELECT coalesce(n.nspname::text, '') COLLATE "C" AS "schema",
       CASE a.defaclobjtype WHEN 'r' THEN 'tables' WHEN 'S' THEN 'sequences' WHEN 'f' THEN 'functions'
                            WHEN 'T' THEN 'types' WHEN 'n' THEN 'schemas' WHEN 'L' THEN 'large objects'
                            ELSE a.defaclobjtype::text END COLLATE "C" AS name,
       a.defaclrole::regrole::text COLLATE "C" AS parent,
       (SELECT array_agg(x.a::text ORDER BY x.a::text COLLATE "C") FROM unnest(a.defaclacl) AS x(a)) AS acl
FROM pg_default_acl AS a
LEFT JOIN pg_namespace AS n ON n.oid = a.defaclnamespace
ORDER BY "schema", parent, name;
