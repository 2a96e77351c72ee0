-- Indexes on tables, partitioned tables and materialized views, except the ones that
-- implement a primary key, unique or exclusion constraint (see constraint.sql).
-- columns: each key column (quoted name) or expression (as pg_get_indexdef deparses
-- it), followed by what makes it differ from a plain key:
--   COLLATE x    when the index collation differs from the column's (for an expression:
--                from the database default collation),
--   opclass      when it is not a default operator class (or has parameters: "opclass (k=v)"),
--   DESC / NULLS FIRST / NULLS LAST as in CREATE INDEX.
-- Catalog objects outside pg_catalog (collations, operator classes) are schema-qualified.
-- nulls_not_distinct: PG 15+ (read through to_jsonb so the query parses on PG 13/14).
SELECT n.nspname::text COLLATE "C" AS "schema",
       ic.relname::text COLLATE "C" AS name,
       c.relname::text COLLATE "C" AS parent,
       i.indisunique AS "unique",
       am.amname::text AS method,
       cols.key_columns AS columns,
       cols.include_columns AS include,
       CASE WHEN i.indpred IS NOT NULL THEN pg_get_expr(i.indpred, i.indrelid, true) END AS predicate,
       CASE WHEN i.indisunique
            THEN coalesce((to_jsonb(i) ->> 'indnullsnotdistinct')::boolean, false)
            ELSE false END AS nulls_not_distinct,
       CASE WHEN ic.relispartition THEN
         (SELECT CASE WHEN pc.relnamespace = ic.relnamespace THEN quote_ident(pc.relname)
                      ELSE quote_ident(pn.nspname) || '.' || quote_ident(pc.relname) END
            FROM pg_inherits AS h
            JOIN pg_class AS pc ON pc.oid = h.inhparent
            JOIN pg_namespace AS pn ON pn.oid = pc.relnamespace
           WHERE h.inhrelid = ic.oid)
       END AS partition_of,
       ts.spcname::text AS tablespace,
       (SELECT array_agg(o ORDER BY o COLLATE "C") FROM unnest(ic.reloptions) AS o) AS options,
       d.description AS comment
FROM pg_index AS i
JOIN pg_class AS ic ON ic.oid = i.indexrelid
JOIN pg_class AS c ON c.oid = i.indrelid
JOIN pg_namespace AS n ON n.oid = c.relnamespace
JOIN pg_am AS am ON am.oid = ic.relam
LEFT JOIN pg_tablespace AS ts ON ts.oid = ic.reltablespace
LEFT JOIN pg_description AS d
       ON d.objoid = ic.oid AND d.classoid = 'pg_class'::regclass AND d.objsubid = 0
CROSS JOIN LATERAL (
  SELECT array_agg(k.col ORDER BY k.pos) FILTER (WHERE k.pos <= i.indnkeyatts) AS key_columns,
         array_agg(k.col ORDER BY k.pos) FILTER (WHERE k.pos > i.indnkeyatts) AS include_columns
    FROM (SELECT x.pos,
                 CASE WHEN x.attnum = 0 THEN pg_get_indexdef(i.indexrelid, x.pos::integer, true)
                      ELSE quote_ident(ta.attname) END
                 || CASE WHEN x.coll <> 0 AND x.coll <> coalesce(ta.attcollation, 100) THEN
                      ' COLLATE ' || CASE WHEN co.collnamespace = 'pg_catalog'::regnamespace
                                          THEN quote_ident(co.collname)
                                          ELSE quote_ident(con.nspname) || '.' || quote_ident(co.collname) END
                    ELSE '' END
                 || CASE WHEN x.pos <= i.indnkeyatts AND (NOT oc.opcdefault OR ia.attoptions IS NOT NULL) THEN
                      ' ' || CASE WHEN oc.opcnamespace = 'pg_catalog'::regnamespace
                                  THEN quote_ident(oc.opcname)
                                  ELSE quote_ident(ocn.nspname) || '.' || quote_ident(oc.opcname) END
                      || coalesce(' (' || array_to_string(ia.attoptions, ', ') || ')', '')
                    ELSE '' END
                 || CASE WHEN x.opt & 1 <> 0
                         THEN ' DESC' || CASE WHEN x.opt & 2 = 0 THEN ' NULLS LAST' ELSE '' END
                         WHEN x.opt & 2 <> 0 THEN ' NULLS FIRST'
                         ELSE '' END AS col
            FROM unnest(i.indkey::int2[], i.indclass::oid[], i.indcollation::oid[], i.indoption::int2[])
                 WITH ORDINALITY AS x(attnum, opclass, coll, opt, pos)
            LEFT JOIN pg_attribute AS ta ON ta.attrelid = i.indrelid AND ta.attnum = x.attnum AND x.attnum > 0
            LEFT JOIN pg_attribute AS ia ON ia.attrelid = i.indexrelid AND ia.attnum = x.pos
            LEFT JOIN pg_opclass AS oc ON oc.oid = x.opclass
            LEFT JOIN pg_namespace AS ocn ON ocn.oid = oc.opcnamespace
            LEFT JOIN pg_collation AS co ON co.oid = x.coll
            LEFT JOIN pg_namespace AS con ON con.oid = co.collnamespace) AS k
) AS cols
WHERE c.relkind IN ('r', 'p', 'm')
  AND n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'
  AND NOT (c.relname = %(version_table)s AND c.relkind IN ('r', 'p'))
  AND NOT EXISTS (SELECT 1 FROM pg_constraint AS k
                   WHERE k.conrelid = i.indrelid AND k.conindid = i.indexrelid
                     AND k.contype IN ('p', 'u', 'x'))
  AND c.oid NOT IN (SELECT e.objid FROM pg_depend AS e
                     WHERE e.refclassid = 'pg_extension'::regclass AND e.deptype = 'e'
                       AND e.classid = 'pg_class'::regclass)
ORDER BY "schema", parent, name;
