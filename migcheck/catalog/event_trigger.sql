-- Event triggers (database-wide: schema and parent are '').
-- comment: all comments of the kind are read once per query (an InitPlan) and looked up
-- by oid; user objects always have oids >= 16384 (FirstNormalObjectId), which lets the
-- planner read only their comments through pg_description's index.
SELECT ''::text AS "schema",
       e.evtname::text AS name,
       ''::text AS parent,
       e.evtevent::text AS event,
       (SELECT array_agg(x.tag ORDER BY x.tag COLLATE "C") FROM unnest(e.evttags) AS x(tag)) AS tags,
       quote_ident(pn.nspname) || '.' || quote_ident(p.proname) AS function,
       CASE e.evtenabled WHEN 'O' THEN 'origin' WHEN 'D' THEN 'disabled'
                         WHEN 'R' THEN 'replica' WHEN 'A' THEN 'always' END AS enabled,
       (SELECT jsonb_object_agg(d.objoid::text, d.description) FROM pg_description AS d
         WHERE d.objoid >= 16384 AND d.classoid = 'pg_event_trigger'::regclass AND d.objsubid = 0)
         ->> e.oid::text AS comment
FROM pg_event_trigger AS e
JOIN pg_proc AS p ON p.oid = e.evtfoid
JOIN pg_namespace AS pn ON pn.oid = p.pronamespace
WHERE e.oid NOT IN (SELECT x.objid FROM pg_depend AS x
                     WHERE x.refclassid = 'pg_extension'::regclass AND x.deptype = 'e'
                       AND x.classid = 'pg_event_trigger'::regclass)
ORDER BY e.evtname;
