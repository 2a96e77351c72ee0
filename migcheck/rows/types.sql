-- The column types and every type they are made of (a domain's base type, an array's
-- element, a range's subtype, a multirange's range), each once.
-- element: an array's element type, a range's subtype or a multirange's range type.
-- rngmultitypid (14+) read through to_jsonb: the same query on 13, which has no multiranges.
-- An array is the type its element names as typarray: int2vector and point have a
-- typelem too, and other literals.
WITH RECURSIVE closure(oid) AS (
    SELECT unnest(%(types)s::oid[])
  UNION
    SELECT r.related
    FROM closure AS c
    JOIN pg_type AS t ON t.oid = c.oid
    CROSS JOIN LATERAL (VALUES (NULLIF(t.typbasetype, 0)),
                               ((SELECT e.oid FROM pg_type AS e
                                  WHERE e.oid = t.typelem AND e.typarray = t.oid)),
                               ((SELECT g.rngsubtype FROM pg_range AS g WHERE g.rngtypid = t.oid)),
                               ((SELECT g.rngtypid FROM pg_range AS g
                                  WHERE (to_jsonb(g) ->> 'rngmultitypid')::oid = t.oid))) AS r(related)
    WHERE r.related IS NOT NULL
)
SELECT t.oid, n.nspname::text AS "schema", t.typname::text AS name,
       CASE WHEN EXISTS (SELECT FROM pg_type AS e WHERE e.oid = t.typelem AND e.typarray = t.oid)
            THEN 'a' ELSE t.typtype::text END AS kind,
       t.typbasetype AS base, t.typtypmod AS base_typmod, t.typnotnull AS not_null,
       COALESCE(NULLIF(t.typelem, 0),
                (SELECT g.rngsubtype FROM pg_range AS g WHERE g.rngtypid = t.oid),
                (SELECT g.rngtypid FROM pg_range AS g WHERE (to_jsonb(g) ->> 'rngmultitypid')::oid = t.oid),
                0) AS element,
       t.typdelim::text AS delimiter,
       ARRAY(SELECT e.enumlabel::text FROM pg_enum AS e WHERE e.enumtypid = t.oid
              ORDER BY e.enumsortorder) AS labels,
       ARRAY(SELECT k.conname::text FROM pg_constraint AS k
              WHERE k.contypid = t.oid AND k.contype = 'c' ORDER BY k.conname) AS check_names,
       ARRAY(SELECT pg_get_constraintdef(k.oid) FROM pg_constraint AS k
              WHERE k.contypid = t.oid AND k.contype = 'c' ORDER BY k.conname) AS checks
FROM closure AS c
JOIN pg_type AS t ON t.oid = c.oid
JOIN pg_namespace AS n ON n.oid = t.typnamespace;
