-- What changed since the last snapshot, for an incremental one (migcheck.snapshot).
-- Every change to a catalog row gives the row a new xmin: a relation's fingerprint sums
-- the xmins (and counts the rows) of every catalog row that describes it; "others" does
-- the same for what belongs to no relation (schemas, types, functions, extensions,
-- collations, default privileges, event triggers, role names, comments on those), whose change
-- makes the next snapshot a full one. ``relation`` is NULL on the row of "others".
WITH rows(relation, x) AS (
    SELECT oid, xmin::text::bigint FROM pg_class WHERE oid >= 16384
  UNION ALL
    SELECT attrelid, xmin::text::bigint FROM pg_attribute WHERE attrelid >= 16384 AND attnum > 0
  UNION ALL
    SELECT adrelid, xmin::text::bigint FROM pg_attrdef
  UNION ALL
    SELECT conrelid, xmin::text::bigint FROM pg_constraint WHERE conrelid <> 0
  UNION ALL
    SELECT indrelid, xmin::text::bigint FROM pg_index WHERE indrelid >= 16384
  UNION ALL
    SELECT tgrelid, xmin::text::bigint FROM pg_trigger WHERE oid >= 16384
  UNION ALL
    SELECT polrelid, xmin::text::bigint FROM pg_policy
  UNION ALL
    SELECT ev_class, xmin::text::bigint FROM pg_rewrite WHERE oid >= 16384
  UNION ALL
    SELECT stxrelid, xmin::text::bigint FROM pg_statistic_ext
  UNION ALL
    SELECT seqrelid, xmin::text::bigint FROM pg_sequence WHERE seqrelid >= 16384
  UNION ALL
    SELECT inhrelid, xmin::text::bigint FROM pg_inherits
  UNION ALL
    -- a relation's row type (a composite type's privileges are there)
    SELECT typrelid, xmin::text::bigint FROM pg_type WHERE typrelid >= 16384
  UNION ALL
    SELECT partrelid, xmin::text::bigint FROM pg_partitioned_table
  UNION ALL
    -- comments on relations and columns, and on their constraints, triggers, policies
    -- and rules, under the relation they belong to
    SELECT coalesce(k.conrelid, t.tgrelid, p.polrelid, r.ev_class, d.objoid),
           d.xmin::text::bigint
    FROM pg_description AS d
    LEFT JOIN pg_constraint AS k ON d.classoid = 'pg_constraint'::regclass AND k.oid = d.objoid
    LEFT JOIN pg_trigger AS t ON d.classoid = 'pg_trigger'::regclass AND t.oid = d.objoid
    LEFT JOIN pg_policy AS p ON d.classoid = 'pg_policy'::regclass AND p.oid = d.objoid
    LEFT JOIN pg_rewrite AS r ON d.classoid = 'pg_rewrite'::regclass AND r.oid = d.objoid
    WHERE d.objoid >= 16384
      AND d.classoid IN ('pg_class'::regclass, 'pg_constraint'::regclass,
                         'pg_trigger'::regclass, 'pg_policy'::regclass, 'pg_rewrite'::regclass)
),
others(x) AS (
    SELECT xmin::text::bigint FROM pg_namespace WHERE oid >= 16384 OR nspname = 'public'
  UNION ALL
    -- types of their own: not the row types of relations (a composite type is one: its
    -- relation's rows count) nor arrays (their element's row counts)
    SELECT xmin::text::bigint FROM pg_type
    WHERE oid >= 16384 AND typtype <> 'c' AND typcategory <> 'A'
  UNION ALL
    -- domains' constraints
    SELECT xmin::text::bigint FROM pg_constraint WHERE conrelid = 0
  UNION ALL
    SELECT xmin::text::bigint FROM pg_enum WHERE oid >= 16384
  UNION ALL
    -- what extensions hold (ALTER EXTENSION ... ADD/DROP changes only this)
    SELECT xmin::text::bigint FROM pg_depend WHERE refclassid = 'pg_extension'::regclass
  UNION ALL
    -- what relations' definitions may name: text search, operators and their classes,
    -- access methods, languages, tablespaces
    SELECT xmin::text::bigint FROM pg_ts_config WHERE oid >= 16384
  UNION ALL
    SELECT xmin::text::bigint FROM pg_ts_dict WHERE oid >= 16384
  UNION ALL
    SELECT xmin::text::bigint FROM pg_operator WHERE oid >= 16384
  UNION ALL
    SELECT xmin::text::bigint FROM pg_opclass WHERE oid >= 16384
  UNION ALL
    SELECT xmin::text::bigint FROM pg_opfamily WHERE oid >= 16384
  UNION ALL
    SELECT xmin::text::bigint FROM pg_am WHERE oid >= 16384
  UNION ALL
    SELECT xmin::text::bigint FROM pg_language WHERE oid >= 16384
  UNION ALL
    SELECT xmin::text::bigint FROM pg_tablespace
  UNION ALL
    SELECT xmin::text::bigint FROM pg_proc WHERE oid >= 16384
  UNION ALL
    SELECT xmin::text::bigint FROM pg_collation WHERE oid >= 16384
  UNION ALL
    SELECT xmin::text::bigint FROM pg_extension
  UNION ALL
    SELECT xmin::text::bigint FROM pg_default_acl
  UNION ALL
    SELECT xmin::text::bigint FROM pg_event_trigger
  UNION ALL
    -- roles by name (privileges name them); pg_authid is the superuser's to read
    SELECT oid::bigint * 31 + hashtext(rolname) FROM pg_roles
  UNION ALL
    SELECT xmin::text::bigint FROM pg_range WHERE rngtypid >= 16384
  UNION ALL
    SELECT xmin::text::bigint FROM pg_description
    WHERE objoid >= 16384
      AND classoid NOT IN ('pg_class'::regclass, 'pg_constraint'::regclass,
                           'pg_trigger'::regclass, 'pg_policy'::regclass,
                           'pg_rewrite'::regclass)
)
SELECT relation, sum(x)::text || '/' || count(*) AS fingerprint
FROM rows WHERE relation IS NOT NULL GROUP BY relation
UNION ALL
SELECT NULL, coalesce(sum(x), 0)::text || '/' || count(*) FROM others;
