-- Functions, procedures, aggregates and window functions (not extension members).
-- name: proname(identity arguments), so overloads are distinct objects.
-- body: prosrc; for SQL-standard bodies (PG 14+: RETURN ... / BEGIN ATOMIC ... END,
-- where prosrc is empty) the body as pg_get_functiondef deparses it; for aggregates
-- the CREATE AGGREGATE options, since their prosrc is a placeholder.
-- (Literals with backslashes are E'' strings: right whatever standard_conforming_strings.)
-- cost: procost as text; rows: prorows as text for set-returning functions.
-- Objects created after initdb always have an oid >= 16384 (FirstNormalObjectId, where
-- the oid counter starts and wraps around), so "oid >= 16384" is a cheap pre-filter
-- that lets the planner skip the ~3000 built-in functions through the oid index.
-- comment: all comments of the kind are read once per query (an InitPlan) and looked up
-- by oid; user objects always have oids >= 16384 (FirstNormalObjectId), which lets the
-- planner read only their comments through pg_description's index.
SELECT n.nspname::text COLLATE "C" AS "schema",
       (p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')')::text COLLATE "C" AS name,
       ''::text COLLATE "C" AS parent,
       CASE p.prokind WHEN 'f' THEN 'function' WHEN 'p' THEN 'procedure'
                      WHEN 'a' THEN 'aggregate' WHEN 'w' THEN 'window' END AS kind,
       pg_get_function_arguments(p.oid) AS arguments,
       pg_get_function_result(p.oid) AS returns,
       l.lanname::text AS language,
       CASE
         WHEN p.prokind = 'a' THEN
           (SELECT concat_ws(', ',
                     CASE g.aggkind WHEN 'o' THEN 'ORDERED' WHEN 'h' THEN 'HYPOTHETICAL' END,
                     'SFUNC = ' || g.aggtransfn::regproc::text,
                     'STYPE = ' || format_type(g.aggtranstype, NULL),
                     CASE WHEN g.aggtransspace <> 0 THEN 'SSPACE = ' || g.aggtransspace END,
                     CASE WHEN g.aggfinalfn <> 0 THEN 'FINALFUNC = ' || g.aggfinalfn::regproc::text END,
                     CASE WHEN g.aggfinalextra THEN 'FINALFUNC_EXTRA' END,
                     CASE WHEN g.aggfinalfn <> 0 THEN 'FINALFUNC_MODIFY = '
                       || CASE g.aggfinalmodify WHEN 'r' THEN 'READ_ONLY' WHEN 's' THEN 'SHAREABLE'
                                                WHEN 'w' THEN 'READ_WRITE' END END,
                     CASE WHEN g.aggcombinefn <> 0 THEN 'COMBINEFUNC = ' || g.aggcombinefn::regproc::text END,
                     CASE WHEN g.aggserialfn <> 0 THEN 'SERIALFUNC = ' || g.aggserialfn::regproc::text END,
                     CASE WHEN g.aggdeserialfn <> 0 THEN 'DESERIALFUNC = ' || g.aggdeserialfn::regproc::text END,
                     'INITCOND = ' || quote_literal(g.agginitval),
                     CASE WHEN g.aggmtransfn <> 0 THEN 'MSFUNC = ' || g.aggmtransfn::regproc::text END,
                     CASE WHEN g.aggminvtransfn <> 0 THEN 'MINVFUNC = ' || g.aggminvtransfn::regproc::text END,
                     CASE WHEN g.aggmtranstype <> 0 THEN 'MSTYPE = ' || format_type(g.aggmtranstype, NULL) END,
                     CASE WHEN g.aggmtransspace <> 0 THEN 'MSSPACE = ' || g.aggmtransspace END,
                     CASE WHEN g.aggmfinalfn <> 0 THEN 'MFINALFUNC = ' || g.aggmfinalfn::regproc::text END,
                     CASE WHEN g.aggmfinalextra THEN 'MFINALFUNC_EXTRA' END,
                     CASE WHEN g.aggmfinalfn <> 0 THEN 'MFINALFUNC_MODIFY = '
                       || CASE g.aggmfinalmodify WHEN 'r' THEN 'READ_ONLY' WHEN 's' THEN 'SHAREABLE'
                                                 WHEN 'w' THEN 'READ_WRITE' END END,
                     'MINITCOND = ' || quote_literal(g.aggminitval),
                     CASE WHEN g.aggsortop <> 0 THEN 'SORTOP = ' || g.aggsortop::regoperator::text END,
                     CASE WHEN g.aggnumdirectargs <> 0 THEN 'DIRECTARGS = ' || g.aggnumdirectargs END)
              FROM pg_aggregate AS g WHERE g.aggfnoid = p.oid)
         WHEN p.prosrc = '' AND l.lanname = 'sql' THEN
           coalesce(rtrim(substring(pg_get_functiondef(p.oid)
                                    FROM E'\n((?:RETURN |BEGIN ATOMIC).*)$'), E'\n'),
                    p.prosrc)
         ELSE p.prosrc
       END AS body,
       CASE p.provolatile WHEN 'i' THEN 'immutable' WHEN 's' THEN 'stable' WHEN 'v' THEN 'volatile' END
         AS volatility,
       p.proisstrict AS strict,
       p.prosecdef AS security_definer,
       p.proleakproof AS leakproof,
       CASE p.proparallel WHEN 's' THEN 'safe' WHEN 'r' THEN 'restricted' WHEN 'u' THEN 'unsafe' END
         AS parallel,
       p.procost::text AS cost,
       CASE WHEN p.proretset THEN p.prorows::text END AS rows,
       (SELECT array_agg(o ORDER BY o COLLATE "C") FROM unnest(p.proconfig) AS o) AS config,
       CASE WHEN p.proacl IS NOT NULL THEN
         NULLIF((SELECT array_agg(x.a::text ORDER BY x.a::text COLLATE "C")
                   FROM unnest(p.proacl) AS x(a)),
                (SELECT array_agg(x.a::text ORDER BY x.a::text COLLATE "C")
                   FROM unnest(acldefault('f', p.proowner)) AS x(a)))
       END AS acl,
       (SELECT jsonb_object_agg(d.objoid::text, d.description) FROM pg_description AS d
         WHERE d.objoid >= 16384 AND d.classoid = 'pg_proc'::regclass AND d.objsubid = 0)
         ->> p.oid::text AS comment
FROM pg_proc AS p
JOIN pg_namespace AS n ON n.oid = p.pronamespace
JOIN pg_language AS l ON l.oid = p.prolang
WHERE p.oid >= 16384  -- FirstNormalObjectId: skips the built-in functions via pg_proc's oid index
  AND n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'
  AND p.oid NOT IN (SELECT e.objid FROM pg_depend AS e
                     WHERE e.refclassid = 'pg_extension'::regclass AND e.deptype = 'e'
                       AND e.classid = 'pg_proc'::regclass)
ORDER BY n.nspname, name;
