-- The columns of the tables being filled, in order: how each gets its values.
-- fill: 'never' for generated columns; 'numbered' for identity and nextval() columns,
-- which get numbers of migcheck's own rather than the sequence's (a data migration that
-- inserts its rows with ids of its own, 1, 2, 3 into a lookup table, does not collide
-- with them, and the sequence stays where the migrations expect it); 'default' for other
-- columns with a default; '' for the rest.
SELECT a.attrelid AS "table", a.attname::text AS name, a.atttypid AS type,
       a.atttypmod AS typmod, format_type(a.atttypid, a.atttypmod) AS cast,
       NOT a.attnotnull AS nullable,
       CASE WHEN a.attgenerated <> '' THEN 'never'
            WHEN a.attidentity <> '' THEN 'numbered'
            WHEN d.adbin IS NULL THEN ''
            WHEN pg_get_expr(d.adbin, d.adrelid) LIKE 'nextval(%%' THEN 'numbered'
            ELSE 'default' END AS fill
FROM pg_attribute AS a
LEFT JOIN pg_attrdef AS d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE a.attrelid = ANY(%(tables)s::oid[]) AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attrelid, a.attnum;
