-- Ordinary and partitioned tables (relkind r, p) in user schemas, except the Alembic
-- version table and tables that belong to an extension.
-- References to other relations (partition_of, inherits) are quoted identifiers,
-- schema-qualified only when the other relation lives in another schema.
-- replica_identity: 'default', 'nothing', 'full' or 'index <name>'.
-- access_method / tablespace: NULL when none / the database default.
-- Performance: lookups are scalar subqueries on indexed keys, evaluated per output row
-- only where needed, or hashed/InitPlan subqueries run once (see column.sql).
-- comment: all comments of the kind are read once per query (an InitPlan) and looked up
-- by oid; user objects always have oids >= 16384 (FirstNormalObjectId), which lets the
-- planner read only their comments through pg_description's index.
SELECT n.nspname::text AS "schema",
       c.relname::text AS name,
       ''::text AS parent,
       CASE WHEN c.relkind = 'p' THEN 'partitioned table'
            WHEN c.relpersistence = 'u' THEN 'unlogged table'
            ELSE 'table' END AS kind,
       CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END AS partition_key,
       CASE WHEN c.relispartition THEN
         (SELECT CASE WHEN pc.relnamespace = c.relnamespace THEN quote_ident(pc.relname)
                      ELSE quote_ident(pn.nspname) || '.' || quote_ident(pc.relname) END
            FROM pg_inherits AS i
            JOIN pg_class AS pc ON pc.oid = i.inhparent
            JOIN pg_namespace AS pn ON pn.oid = pc.relnamespace
           WHERE i.inhrelid = c.oid)
       END AS partition_of,
       CASE WHEN c.relispartition THEN pg_get_expr(c.relpartbound, c.oid, true) END
         AS partition_bound,
       CASE WHEN NOT c.relispartition AND c.oid IN (SELECT h.inhrelid FROM pg_inherits AS h) THEN
         (SELECT array_agg(CASE WHEN pc.relnamespace = c.relnamespace THEN quote_ident(pc.relname)
                                ELSE quote_ident(pn.nspname) || '.' || quote_ident(pc.relname) END
                           ORDER BY i.inhseqno)
            FROM pg_inherits AS i
            JOIN pg_class AS pc ON pc.oid = i.inhparent
            JOIN pg_namespace AS pn ON pn.oid = pc.relnamespace
           WHERE i.inhrelid = c.oid)
       END AS inherits,
       CASE WHEN c.reloftype <> 0 THEN format_type(c.reloftype, NULL) END AS of_type,
       c.relrowsecurity AS rls_enabled,
       c.relforcerowsecurity AS rls_forced,
       CASE c.relreplident
         WHEN 'd' THEN 'default' WHEN 'n' THEN 'nothing' WHEN 'f' THEN 'full'
         WHEN 'i' THEN 'index ' || (SELECT quote_ident(ic.relname)
                                      FROM pg_index AS ri JOIN pg_class AS ic ON ic.oid = ri.indexrelid
                                     WHERE ri.indrelid = c.oid AND ri.indisreplident)
       END AS replica_identity,
       am.amname::text AS access_method,
       CASE WHEN c.reltablespace <> 0 THEN
         (SELECT ts.spcname::text FROM pg_tablespace AS ts WHERE ts.oid = c.reltablespace)
       END AS tablespace,
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
LEFT JOIN pg_am AS am ON am.oid = c.relam
WHERE c.relkind IN ('r', 'p')
  AND n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'
  AND c.relname <> %(version_table)s
  AND c.oid NOT IN (SELECT e.objid FROM pg_depend AS e
                     WHERE e.refclassid = 'pg_extension'::regclass AND e.deptype = 'e'
                       AND e.classid = 'pg_class'::regclass)
ORDER BY n.nspname, c.relname;
