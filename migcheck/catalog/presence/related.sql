-- The relations to read again with the changed ones (``relations``): those whose objects
-- name them (a foreign key to a renamed table, a view over it, a default that calls a
-- renamed sequence, a column of its row type) and those they belong to (an index's or
-- an owned sequence's table; an index found so, its table). ``whole``: an object that is
-- no relation's names one of their row types (a function's argument, a domain): only a
-- full read shows it again.
WITH given(oid) AS (SELECT unnest(%(relations)s::oid[])),
row_types(oid) AS (
    SELECT t.oid FROM pg_type AS t WHERE t.typrelid IN (SELECT oid FROM given)
  UNION ALL
    SELECT a.oid FROM pg_type AS a JOIN pg_type AS t ON a.typelem = t.oid
    WHERE t.typrelid IN (SELECT oid FROM given)
),
dependents(classid, objid) AS (
    SELECT d.classid, d.objid FROM pg_depend AS d
    WHERE d.refclassid = 'pg_class'::regclass AND d.refobjid IN (SELECT oid FROM given)
  UNION ALL
    SELECT d.classid, d.objid FROM pg_depend AS d
    WHERE d.refclassid = 'pg_type'::regclass AND d.refobjid IN (SELECT oid FROM row_types)
),
found(oid) AS (
    SELECT CASE d.classid
             WHEN 'pg_class'::regclass THEN d.objid
             WHEN 'pg_attrdef'::regclass THEN
               (SELECT a.adrelid FROM pg_attrdef AS a WHERE a.oid = d.objid)
             WHEN 'pg_constraint'::regclass THEN
               (SELECT k.conrelid FROM pg_constraint AS k WHERE k.oid = d.objid)
             WHEN 'pg_rewrite'::regclass THEN
               (SELECT r.ev_class FROM pg_rewrite AS r WHERE r.oid = d.objid)
             WHEN 'pg_trigger'::regclass THEN
               (SELECT t.tgrelid FROM pg_trigger AS t WHERE t.oid = d.objid)
             WHEN 'pg_policy'::regclass THEN
               (SELECT p.polrelid FROM pg_policy AS p WHERE p.oid = d.objid)
             WHEN 'pg_statistic_ext'::regclass THEN
               (SELECT s.stxrelid FROM pg_statistic_ext AS s WHERE s.oid = d.objid)
           END
    FROM dependents AS d
  UNION ALL
    SELECT d.refobjid
    FROM pg_depend AS d
    WHERE d.classid = 'pg_class'::regclass AND d.objid IN (SELECT oid FROM given)
      AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
  UNION ALL
    SELECT oid FROM given
)
SELECT DISTINCT related.oid, false AS whole
FROM (
    SELECT oid FROM found
  UNION ALL
    SELECT i.indrelid FROM pg_index AS i WHERE i.indexrelid IN (SELECT oid FROM found)
) AS related(oid)
WHERE related.oid IS NOT NULL AND related.oid <> 0
UNION ALL
SELECT 0, true
WHERE EXISTS (SELECT FROM pg_depend AS d
              WHERE d.refclassid = 'pg_type'::regclass
                AND d.refobjid IN (SELECT oid FROM row_types)
                AND d.classid IN ('pg_proc'::regclass, 'pg_type'::regclass)
                -- a row type's own array type is no user of it
                AND d.objid NOT IN (SELECT oid FROM row_types));
