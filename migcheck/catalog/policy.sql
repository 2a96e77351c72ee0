-- Row-level security policies. roles: sorted role names ('public' for PUBLIC).
-- comment: all comments of the kind are read once per query (an InitPlan) and looked up
-- by oid; user objects always have oids >= 16384 (FirstNormalObjectId), which lets the
-- planner read only their comments through pg_description's index.
SELECT n.nspname::text AS "schema",
       pol.polname::text AS name,
       c.relname::text AS parent,
       CASE pol.polcmd WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT' WHEN 'w' THEN 'UPDATE'
                       WHEN 'd' THEN 'DELETE' WHEN '*' THEN 'ALL' END AS command,
       pol.polpermissive AS permissive,
       (SELECT array_agg(x.r ORDER BY x.r COLLATE "C")
          FROM (SELECT CASE WHEN r.oid = 0 THEN 'public' ELSE r.oid::regrole::text END AS r
                  FROM unnest(pol.polroles) AS r(oid)) AS x) AS roles,
       pg_get_expr(pol.polqual, pol.polrelid, true) AS "using",
       pg_get_expr(pol.polwithcheck, pol.polrelid, true) AS with_check,
       (SELECT jsonb_object_agg(d.objoid::text, d.description) FROM pg_description AS d
         WHERE d.objoid >= 16384 AND d.classoid = 'pg_policy'::regclass AND d.objsubid = 0)
         ->> pol.oid::text AS comment
FROM pg_policy AS pol
JOIN pg_class AS c ON c.oid = pol.polrelid
JOIN pg_namespace AS n ON n.oid = c.relnamespace
WHERE n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'
  AND c.relname <> %(version_table)s
  AND c.oid NOT IN (SELECT e.objid FROM pg_depend AS e
                     WHERE e.refclassid = 'pg_extension'::regclass AND e.deptype = 'e'
                       AND e.classid = 'pg_class'::regclass)
ORDER BY n.nspname, c.relname, pol.polname;
