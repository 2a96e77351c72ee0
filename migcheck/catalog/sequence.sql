-- Sequences, except identity sequences (column.identity_options describes those).
-- owned_by: table.column of OWNED BY (serial columns), quoted identifiers.
SELECT n.nspname::text COLLATE "C" AS "schema",
       c.relname::text COLLATE "C" AS name,
       ''::text COLLATE "C" AS parent,
       format_type(s.seqtypid, NULL) AS type,
       s.seqstart AS start,
       s.seqincrement AS increment,
       s.seqmin AS min,
       s.seqmax AS max,
       s.seqcache AS cache,
       s.seqcycle AS cycle,
       CASE WHEN o.deptype = 'a' THEN
         CASE WHEN o.relnamespace = c.relnamespace THEN '' ELSE quote_ident(o.nspname) || '.' END
         || quote_ident(o.relname) || '.' || quote_ident(o.attname)
       END AS owned_by,
       CASE WHEN c.relacl IS NOT NULL THEN
         NULLIF((SELECT array_agg(x.a::text ORDER BY x.a::text COLLATE "C")
                   FROM unnest(c.relacl) AS x(a)),
                (SELECT array_agg(x.a::text ORDER BY x.a::text COLLATE "C")
                   FROM unnest(acldefault('s', c.relowner)) AS x(a)))
       END AS acl,
       d.description AS comment
FROM pg_class AS c
JOIN pg_namespace AS n ON n.oid = c.relnamespace
JOIN pg_sequence AS s ON s.seqrelid = c.oid
LEFT JOIN LATERAL (
  SELECT sd.deptype, tc.relname, tc.relnamespace, tn.nspname, ta.attname
    FROM pg_depend AS sd
    JOIN pg_class AS tc ON tc.oid = sd.refobjid
    JOIN pg_namespace AS tn ON tn.oid = tc.relnamespace
    JOIN pg_attribute AS ta ON ta.attrelid = sd.refobjid AND ta.attnum = sd.refobjsubid
   WHERE sd.classid = 'pg_class'::regclass AND sd.objid = c.oid
     AND sd.refclassid = 'pg_class'::regclass AND sd.refobjsubid > 0
     AND sd.deptype IN ('a', 'i')
   LIMIT 1
) AS o ON true
LEFT JOIN pg_description AS d
       ON d.objoid = c.oid AND d.classoid = 'pg_class'::regclass AND d.objsubid = 0
WHERE c.relkind = 'S'
  AND n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'
  AND o.deptype IS DISTINCT FROM 'i'
  AND o.relname IS DISTINCT FROM %(version_table)s
  AND c.oid NOT IN (SELECT e.objid FROM pg_depend AS e
                     WHERE e.refclassid = 'pg_extension'::regclass AND e.deptype = 'e'
                       AND e.classid = 'pg_class'::regclass)
ORDER BY "schema", parent, name;
