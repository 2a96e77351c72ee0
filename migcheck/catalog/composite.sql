-- Free-standing composite types (CREATE TYPE ... AS (...)), not the row types of
-- tables and views. attributes: 'name type [COLLATE x]' in order.
-- comment: all comments of the kind are read once per query (an InitPlan) and looked up
-- by oid; user objects always have oids >= 16384 (FirstNormalObjectId), which lets the
-- planner read only their comments through pg_description's index.
SELECT n.nspname::text AS "schema",
       t.typname::text AS name,
       ''::text AS parent,
       (SELECT array_agg(quote_ident(a.attname) || ' ' || format_type(a.atttypid, a.atttypmod)
                         || CASE WHEN a.attcollation <> at.typcollation
                                 THEN ' COLLATE ' || a.attcollation::regcollation::text
                                 ELSE '' END
                         ORDER BY a.attnum)
          FROM pg_attribute AS a
          JOIN pg_type AS at ON at.oid = a.atttypid
         WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped) AS attributes,
       CASE WHEN t.typacl IS NOT NULL THEN
         NULLIF((SELECT array_agg(x.a::text ORDER BY x.a::text COLLATE "C")
                   FROM unnest(t.typacl) AS x(a)),
                (SELECT array_agg(x.a::text ORDER BY x.a::text COLLATE "C")
                   FROM unnest(acldefault('T', t.typowner)) AS x(a)))
       END AS acl,
       (SELECT jsonb_object_agg(d.objoid::text, d.description) FROM pg_description AS d
         WHERE d.objoid >= 16384 AND d.classoid = 'pg_type'::regclass AND d.objsubid = 0)
         ->> t.oid::text AS comment
FROM pg_class AS c
JOIN pg_type AS t ON t.oid = c.reltype
JOIN pg_namespace AS n ON n.oid = t.typnamespace
WHERE c.relkind = 'c'
  AND n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'
  AND t.oid NOT IN (SELECT e.objid FROM pg_depend AS e
                     WHERE e.refclassid = 'pg_extension'::regclass AND e.deptype = 'e'
                       AND e.classid = 'pg_type'::regclass)
ORDER BY n.nspname, t.typname;
