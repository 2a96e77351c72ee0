-- Rewrite rules created with CREATE RULE (not the _RETURN rules that implement views).
-- comment: all comments of the kind are read once per query (an InitPlan) and looked up
-- by oid; user objects always have oids >= 16384 (FirstNormalObjectId), which lets the
-- planner read only their comments through pg_description's index.
SELECT n.nspname::text AS "schema",
       r.rulename::text AS name,
       c.relname::text AS parent,
       CASE r.ev_type WHEN '1' THEN 'SELECT' WHEN '2' THEN 'UPDATE' WHEN '3' THEN 'INSERT'
                      WHEN '4' THEN 'DELETE' END AS event,
       r.is_instead AS instead,
       pg_get_ruledef(r.oid, true) AS definition,
       CASE r.ev_enabled WHEN 'O' THEN 'origin' WHEN 'D' THEN 'disabled'
                         WHEN 'R' THEN 'replica' WHEN 'A' THEN 'always' END AS enabled,
       (SELECT jsonb_object_agg(d.objoid::text, d.description) FROM pg_description AS d
         WHERE d.objoid >= 16384 AND d.classoid = 'pg_rewrite'::regclass AND d.objsubid = 0)
         ->> r.oid::text AS comment
FROM pg_rewrite AS r
JOIN pg_class AS c ON c.oid = r.ev_class
JOIN pg_namespace AS n ON n.oid = c.relnamespace
WHERE r.oid >= 16384  -- FirstNormalObjectId: skips the rules of system views
  AND r.rulename <> '_RETURN'
  AND n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'
  AND NOT (c.relname = %(version_table)s AND c.relkind IN ('r', 'p'))
  AND c.oid NOT IN (SELECT e.objid FROM pg_depend AS e
                     WHERE e.refclassid = 'pg_extension'::regclass AND e.deptype = 'e'
                       AND e.classid = 'pg_class'::regclass)
ORDER BY n.nspname, c.relname, r.rulename;
