-- The relations to read again with the changed ones (``relations``): those whose objects
-- name them (a foreign key to a renamed table, a view over it, a default that calls a
-- renamed sequence) and those they belong to (an index's or an owned sequence's table).
SELECT DISTINCT related.oid
FROM (
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
    FROM pg_depend AS d
    WHERE d.refclassid = 'pg_class'::regclass AND d.refobjid = ANY(%(relations)s::oid[])
  UNION ALL
    SELECT d.refobjid
    FROM pg_depend AS d
    WHERE d.classid = 'pg_class'::regclass AND d.objid = ANY(%(relations)s::oid[])
      AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
  UNION ALL
    SELECT i.indrelid FROM pg_index AS i WHERE i.indexrelid = ANY(%(relations)s::oid[])
) AS related(oid)
WHERE related.oid IS NOT NULL AND related.oid <> 0;
