-- User triggers on tables and views (not the internal ones behind foreign keys).
-- Triggers that PostgreSQL clones onto partitions are listed on every version (PG 13
-- flags the clones as internal, later versions do not).
-- function: schema-qualified trigger function; arguments: text[] or NULL;
-- columns: UPDATE OF columns, sorted; when: the WHEN condition;
-- referencing: transition tables; constraint/deferrable/deferred: CREATE CONSTRAINT TRIGGER.
-- (Literals with backslashes are E'' strings: right whatever standard_conforming_strings.)
-- comment: all comments of the kind are read once per query (an InitPlan) and looked up
-- by oid; user objects always have oids >= 16384 (FirstNormalObjectId), which lets the
-- planner read only their comments through pg_description's index.
SELECT n.nspname::text AS "schema",
       t.tgname::text AS name,
       c.relname::text AS parent,
       CASE WHEN t.tgtype & 2 <> 0 THEN 'BEFORE' WHEN t.tgtype & 64 <> 0 THEN 'INSTEAD OF'
            ELSE 'AFTER' END AS timing,
       array_remove(ARRAY[CASE WHEN t.tgtype & 4 <> 0 THEN 'INSERT' END,
                          CASE WHEN t.tgtype & 16 <> 0 THEN 'UPDATE' END,
                          CASE WHEN t.tgtype & 8 <> 0 THEN 'DELETE' END,
                          CASE WHEN t.tgtype & 32 <> 0 THEN 'TRUNCATE' END], NULL) AS events,
       CASE WHEN cardinality(t.tgattr::int2[]) > 0 THEN
         (SELECT array_agg(quote_ident(a.attname) ORDER BY a.attname COLLATE "C")
            FROM pg_attribute AS a
           WHERE a.attrelid = t.tgrelid AND a.attnum = ANY (t.tgattr::int2[]))
       END AS columns,
       CASE WHEN t.tgtype & 1 <> 0 THEN 'row' ELSE 'statement' END AS level,
       quote_ident(pn.nspname) || '.' || quote_ident(p.proname) AS function,
       CASE WHEN t.tgnargs > 0 THEN
         -- tgargs is a bytea of NUL-terminated strings. In its 'escape' encoding, NUL is
         -- \000 and a backslash is \\; rewriting \\ as the octal escape \134 makes every
         -- backslash start a 3-digit escape, so splitting on \000 is unambiguous.
         (SELECT array_agg(convert_from(decode(x.arg, 'escape'), current_setting('server_encoding'))
                           ORDER BY x.pos)
            FROM unnest(string_to_array(replace(encode(t.tgargs, 'escape'), E'\\\\', E'\\134'), E'\\000'))
                 WITH ORDINALITY AS x(arg, pos)
           WHERE x.pos <= t.tgnargs)
       END AS arguments,
       CASE WHEN t.tgqual IS NOT NULL THEN
         substring(pg_get_triggerdef(t.oid, true)
                   FROM E' WHEN \\((.*)\\) EXECUTE (?:FUNCTION|PROCEDURE) ')
       END AS "when",
       CASE WHEN t.tgoldtable IS NOT NULL OR t.tgnewtable IS NOT NULL THEN
         concat_ws(' ', 'OLD TABLE AS ' || quote_ident(t.tgoldtable),
                        'NEW TABLE AS ' || quote_ident(t.tgnewtable))
       END AS referencing,
       CASE t.tgenabled WHEN 'O' THEN 'origin' WHEN 'D' THEN 'disabled'
                        WHEN 'R' THEN 'replica' WHEN 'A' THEN 'always' END AS enabled,
       t.tgconstraint <> 0 AS "constraint",
       t.tgdeferrable AS deferrable,
       t.tginitdeferred AS deferred,
       (SELECT jsonb_object_agg(d.objoid::text, d.description) FROM pg_description AS d
         WHERE d.objoid >= 16384 AND d.classoid = 'pg_trigger'::regclass AND d.objsubid = 0)
         ->> t.oid::text AS comment
FROM pg_trigger AS t
JOIN pg_class AS c ON c.oid = t.tgrelid
JOIN pg_namespace AS n ON n.oid = c.relnamespace
JOIN pg_proc AS p ON p.oid = t.tgfoid
JOIN pg_namespace AS pn ON pn.oid = p.pronamespace
WHERE (NOT t.tgisinternal
       OR (t.tgparentid <> 0
           AND (t.tgconstraint = 0
                OR EXISTS (SELECT 1 FROM pg_constraint AS k
                            WHERE k.oid = t.tgconstraint AND k.contype = 't'))))
  AND n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'
  AND NOT (c.relname = %(version_table)s AND c.relkind IN ('r', 'p'))
  AND c.oid NOT IN (SELECT e.objid FROM pg_depend AS e
                     WHERE e.refclassid = 'pg_extension'::regclass AND e.deptype = 'e'
                       AND e.classid = 'pg_class'::regclass)
ORDER BY n.nspname, c.relname, t.tgname;
