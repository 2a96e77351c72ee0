-- Indexes on tables, partitioned tables and materialized views, except the ones that
-- implement a primary key, unique or exclusion constraint (see constraint.sql).
-- columns: one entry per key column: the quoted column name, or the expression as
-- pg_get_indexdef deparses it, followed by what sets it apart from a plain key:
--   COLLATE x     when the index collation differs from the column's (for an
--                 expression: from the database default collation),
--   opclass       when it is not a default operator class, or has parameters:
--                 "opclass (name=value)",
--   DESC, NULLS FIRST, NULLS LAST  as in CREATE INDEX.
-- Operator classes and collations are schema-qualified when not visible in the
-- search_path, as pg_get_indexdef and format_type do.
-- include: INCLUDE columns or NULL. nulls_not_distinct: PG 15+ (read through to_jsonb
-- so that the query still parses on PG 13/14, where it is always false).
-- partition_of: the partitioned index this one is attached to.
--
-- Performance: the catalog statistics of a fresh database describe an empty one, so
-- the planner underestimates user objects by far; every lookup is a LATERAL or scalar
-- subquery driven by an index, or a join on an oid, which stay cheap whatever plan is
-- chosen.
-- comment: all comments of the kind are read once per query (an InitPlan) and looked up
-- by oid; user objects always have oids >= 16384 (FirstNormalObjectId), which lets the
-- planner read only their comments through pg_description's index.
SELECT n.nspname::text AS "schema",
       i.relname::text AS name,
       c.relname::text AS parent,
       i.indisunique AS "unique",
       am.amname::text AS method,
       cols.key_columns AS columns,
       cols.include_columns AS include,
       CASE WHEN i.indpred IS NOT NULL THEN pg_get_expr(i.indpred, i.indrelid, true) END AS predicate,
       CASE WHEN i.indisunique
            THEN coalesce((SELECT (to_jsonb(x) ->> 'indnullsnotdistinct')::boolean
                             FROM pg_index AS x WHERE x.indexrelid = i.indexrelid), false)
            ELSE false END AS nulls_not_distinct,
       CASE WHEN i.relispartition THEN
         (SELECT CASE WHEN pc.relnamespace = c.relnamespace THEN quote_ident(pc.relname)
                      ELSE quote_ident(pn.nspname) || '.' || quote_ident(pc.relname) END
            FROM pg_inherits AS h
            JOIN pg_class AS pc ON pc.oid = h.inhparent
            JOIN pg_namespace AS pn ON pn.oid = pc.relnamespace
           WHERE h.inhrelid = i.indexrelid)
       END AS partition_of,
       CASE WHEN i.reltablespace <> 0 THEN
         (SELECT ts.spcname::text FROM pg_tablespace AS ts WHERE ts.oid = i.reltablespace)
       END AS tablespace,
       CASE WHEN i.reloptions IS NOT NULL THEN
         (SELECT array_agg(o ORDER BY o COLLATE "C") FROM unnest(i.reloptions) AS o)
       END AS options,
       (SELECT jsonb_object_agg(d.objoid::text, d.description) FROM pg_description AS d
         WHERE d.objoid >= 16384 AND d.classoid = 'pg_class'::regclass AND d.objsubid = 0)
         ->> i.indexrelid::text AS comment
FROM pg_namespace AS n
JOIN pg_class AS c ON c.relnamespace = n.oid
JOIN LATERAL (
  SELECT x.indexrelid, x.indrelid, x.indisunique, x.indnatts, x.indnkeyatts, x.indkey, x.indclass,
         x.indcollation, x.indoption, x.indpred, ic.relname, ic.relam, ic.relispartition,
         ic.reltablespace, ic.reloptions
    FROM pg_index AS x
    JOIN pg_class AS ic ON ic.oid = x.indexrelid
   WHERE x.indrelid = c.oid
     AND NOT EXISTS (SELECT 1 FROM pg_constraint AS k
                      WHERE k.conrelid = c.oid AND k.conindid = x.indexrelid
                        AND k.contype IN ('p', 'u', 'x'))
) AS i ON true
JOIN pg_am AS am ON am.oid = i.relam
JOIN LATERAL (
  SELECT k.cols[:i.indnkeyatts] AS key_columns,
         CASE WHEN i.indnatts > i.indnkeyatts THEN k.cols[i.indnkeyatts + 1:] END AS include_columns
    FROM (SELECT array_agg(x.col ORDER BY x.pos) AS cols
    FROM (SELECT x.pos,
                 CASE WHEN x.attnum = 0 THEN pg_get_indexdef(i.indexrelid, x.pos::integer, true)
                      ELSE ta.attname END
                 -- 100: the database default collation (DEFAULT_COLLATION_OID, fixed)
                 || CASE WHEN x.coll <> 0 AND x.coll <> coalesce(ta.attcollation, 100)
                         THEN ' COLLATE ' || x.coll::regcollation::text
                         ELSE '' END
                 || CASE WHEN x.opclass IN (SELECT oc.oid FROM pg_opclass AS oc WHERE NOT oc.opcdefault)
                           OR (x.opclass <> 0 AND am.amname NOT IN ('btree', 'hash')
                               AND (SELECT ia.attoptions IS NOT NULL FROM pg_attribute AS ia
                                     WHERE ia.attrelid = i.indexrelid AND ia.attnum = x.pos)) THEN
                      (SELECT ' ' || CASE WHEN pg_opclass_is_visible(oc.oid) THEN quote_ident(oc.opcname)
                                          ELSE quote_ident(ocn.nspname) || '.' || quote_ident(oc.opcname) END
                              || coalesce(' (' || array_to_string(ia.attoptions, ', ') || ')', '')
                         FROM pg_opclass AS oc
                         JOIN pg_namespace AS ocn ON ocn.oid = oc.opcnamespace
                         LEFT JOIN pg_attribute AS ia ON ia.attrelid = i.indexrelid AND ia.attnum = x.pos
                        WHERE oc.oid = x.opclass)
                    ELSE '' END
                 || CASE WHEN x.opt & 1 <> 0
                         THEN ' DESC' || CASE WHEN x.opt & 2 = 0 THEN ' NULLS LAST' ELSE '' END
                         WHEN x.opt & 2 <> 0 THEN ' NULLS FIRST'
                         ELSE '' END AS col
            FROM unnest(i.indkey::int2[], i.indclass::oid[], i.indcollation::oid[], i.indoption::int2[])
                 WITH ORDINALITY AS x(attnum, opclass, coll, opt, pos)
            LEFT JOIN LATERAL (SELECT quote_ident(a.attname) AS attname, a.attcollation
                                 FROM pg_attribute AS a
                                WHERE a.attrelid = c.oid AND a.attnum = x.attnum
                                OFFSET 0) AS ta ON x.attnum > 0) AS x) AS k
) AS cols ON true
WHERE c.relkind IN ('r', 'p', 'm')
  AND n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'
  AND NOT (c.relname = %(version_table)s AND c.relkind IN ('r', 'p'))
  AND c.oid NOT IN (SELECT e.objid FROM pg_depend AS e
                     WHERE e.refclassid = 'pg_extension'::regclass AND e.deptype = 'e'
                       AND e.classid = 'pg_class'::regclass)
ORDER BY n.nspname, c.relname, i.relname;
