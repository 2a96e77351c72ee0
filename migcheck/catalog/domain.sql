-- Domains. checks: 'name: CHECK (...)' per CHECK constraint, sorted (the NOT NULL
-- constraint that PG 17+ also catalogs is the not_null attribute).
-- collation: only when it differs from the base type's default collation.
-- "oid >= 16384": see enum.sql.
-- comment: all comments of the kind are read once per query (an InitPlan) and looked up
-- by oid; user objects always have oids >= 16384 (FirstNormalObjectId), which lets the
-- planner read only their comments through pg_description's index.
SELECT n.nspname::text AS "schema",
       t.typname::text AS name,
       ''::text AS parent,
       format_type(t.typbasetype, t.typtypmod) AS type,
       t.typnotnull AS not_null,
       CASE WHEN t.typdefaultbin IS NOT NULL THEN pg_get_expr(t.typdefaultbin, 0, true)
            ELSE t.typdefault END AS "default",
       CASE WHEN t.typcollation <> bt.typcollation THEN t.typcollation::regcollation::text END
         AS collation,
       (SELECT array_agg(x.c ORDER BY x.c COLLATE "C")
          FROM (SELECT k.conname || ': ' || pg_get_constraintdef(k.oid, true) AS c
                  FROM pg_constraint AS k
                 WHERE k.conrelid = 0 AND k.contypid = t.oid AND k.contype = 'c') AS x) AS checks,
       CASE WHEN t.typacl IS NOT NULL THEN
         NULLIF((SELECT array_agg(x.a::text ORDER BY x.a::text COLLATE "C")
                   FROM unnest(t.typacl) AS x(a)),
                (SELECT array_agg(x.a::text ORDER BY x.a::text COLLATE "C")
                   FROM unnest(acldefault('T', t.typowner)) AS x(a)))
       END AS acl,
       (SELECT jsonb_object_agg(d.objoid::text, d.description) FROM pg_description AS d
         WHERE d.objoid >= 16384 AND d.classoid = 'pg_type'::regclass AND d.objsubid = 0)
         ->> t.oid::text AS comment
FROM pg_type AS t
JOIN pg_namespace AS n ON n.oid = t.typnamespace
JOIN pg_type AS bt ON bt.oid = t.typbasetype
WHERE t.oid >= 16384 AND t.typtype = 'd'
  AND n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'
  AND t.oid NOT IN (SELECT e.objid FROM pg_depend AS e
                     WHERE e.refclassid = 'pg_extension'::regclass AND e.deptype = 'e'
                       AND e.classid = 'pg_type'::regclass)
ORDER BY n.nspname, t.typname;
