-- Extended statistics objects (CREATE STATISTICS); parent = table.
-- definition: pg_get_statisticsobjdef (kinds, columns / expressions, table).
-- comment: all comments of the kind are read once per query (an InitPlan) and looked up
-- by oid; user objects always have oids >= 16384 (FirstNormalObjectId), which lets the
-- planner read only their comments through pg_description's index.
SELECT n.nspname::text AS "schema",
       s.stxname::text AS name,
       c.relname::text AS parent,
       pg_get_statisticsobjdef(s.oid) AS definition,
       (SELECT jsonb_object_agg(d.objoid::text, d.description) FROM pg_description AS d
         WHERE d.objoid >= 16384 AND d.classoid = 'pg_statistic_ext'::regclass AND d.objsubid = 0)
         ->> s.oid::text AS comment
FROM pg_statistic_ext AS s
JOIN pg_class AS c ON c.oid = s.stxrelid
JOIN pg_namespace AS n ON n.oid = s.stxnamespace
WHERE n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'
  AND c.relname <> %(version_table)s
  AND s.oid NOT IN (SELECT e.objid FROM pg_depend AS e
                     WHERE e.refclassid = 'pg_extension'::regclass AND e.deptype = 'e'
                       AND e.classid = 'pg_statistic_ext'::regclass)
ORDER BY n.nspname, c.relname, s.stxname;
