-- Sequences, except identity sequences (column.identity_options describes those).
-- owned_by: table.column of OWNED BY (serial columns), quoted identifiers.
-- comment: all comments of the kind are read once per query (an InitPlan) and looked up
-- by oid; user objects always have oids >= 16384 (FirstNormalObjectId), which lets the
-- planner read only their comments through pg_description's index.
SELECT n.nspname::text AS "schema",
       c.relname::text AS name,
       ''::text AS parent,
       format_type(s.seqtypid, NULL) AS type,
       s.seqstart AS start,
       s.seqincrement AS increment,
       s.seqmin AS min,
       s.seqmax AS max,
       s.seqcache AS cache,
       s.seqcycle AS cycle,
       (SELECT CASE WHEN tc.relnamespace = c.relnamespace THEN '' ELSE quote_ident(tn.nspname) || '.' END
               || quote_ident(tc.relname) || '.' || quote_ident(ta.attname)
          FROM pg_depend AS sd
          JOIN pg_class AS tc ON tc.oid = sd.refobjid
          JOIN pg_namespace AS tn ON tn.oid = tc.relnamespace
          JOIN pg_attribute AS ta ON ta.attrelid = sd.refobjid AND ta.attnum = sd.refobjsubid
         WHERE sd.classid = 'pg_class'::regclass AND sd.objid = c.oid
           AND sd.refclassid = 'pg_class'::regclass AND sd.refobjsubid > 0 AND sd.deptype = 'a'
         LIMIT 1) AS owned_by,
       CASE WHEN c.relacl IS NOT NULL THEN
         NULLIF((SELECT array_agg(x.a::text ORDER BY x.a::text COLLATE "C")
                   FROM unnest(c.relacl) AS x(a)),
                (SELECT array_agg(x.a::text ORDER BY x.a::text COLLATE "C")
                   FROM unnest(acldefault('s', c.relowner)) AS x(a)))
       END AS acl,
       (SELECT jsonb_object_agg(d.objoid::text, d.description) FROM pg_description AS d
         WHERE d.objoid >= 16384 AND d.classoid = 'pg_class'::regclass AND d.objsubid = 0)
         ->> c.oid::text AS comment
FROM pg_namespace AS n
JOIN pg_class AS c ON c.relnamespace = n.oid
JOIN pg_sequence AS s ON s.seqrelid = c.oid
WHERE c.relkind = 'S'
  AND n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'
  -- identity sequences, and sequences owned by a column of the Alembic version table
  AND NOT EXISTS (SELECT 1 FROM pg_depend AS sd
                   WHERE sd.classid = 'pg_class'::regclass AND sd.objid = c.oid
                     AND sd.refclassid = 'pg_class'::regclass
                     AND (sd.deptype = 'i'
                          OR (sd.deptype = 'a' AND sd.refobjsubid > 0
                              AND (SELECT tc.relname FROM pg_class AS tc WHERE tc.oid = sd.refobjid)
                                  = %(version_table)s)))
  AND c.oid NOT IN (SELECT e.objid FROM pg_depend AS e
                     WHERE e.refclassid = 'pg_extension'::regclass AND e.deptype = 'e'
                       AND e.classid = 'pg_class'::regclass)
ORDER BY n.nspname, c.relname;
