-- What a migration's own transaction sees after each of its statements: the locks this
-- backend holds, the timeouts in force, and of the relations in scope (every relation of
-- the project's schemas when $1, as a revision starts and after a statement that ran in
-- a transaction of its own, an autocommit block; else those the transaction holds a lock
-- on, all a statement of the transaction can have changed, since any statement that
-- reads, writes, creates, alters or drops a relation keeps it locked to the end): each
-- one's storage file (a rewrite gives it a new one), each table's NOT NULL columns and
-- constraints, and per table the scans and row writes of the transaction so far. One
-- row, one JSON text: the same for every driver. Nothing here takes a lock
-- (pg_relation_size would: a table another session locked would stop it).
WITH held AS (
    SELECT l.relation, array_agg(DISTINCT l.mode) AS modes
    FROM pg_catalog.pg_locks l
    WHERE l.pid = pg_catalog.pg_backend_pid()
      AND l.locktype = 'relation'
      AND l.granted
      AND l.database = (
          SELECT d.oid FROM pg_catalog.pg_database d
          WHERE d.datname = pg_catalog.current_database()
      )
    GROUP BY l.relation
), scope AS (
    -- User objects only: their oids start at FirstNormalObjectId. $1: every one of them;
    -- else those the transaction holds a lock on, each looked up in pg_class (not every
    -- user relation scanned against them).
    SELECT h.relation AS oid FROM held h WHERE NOT $1 AND h.relation >= 16384
    UNION ALL
    SELECT c.oid FROM pg_catalog.pg_class c WHERE $1 AND c.oid >= 16384
), relations AS (
    SELECT c.oid, c.relkind, c.relnatts, n.nspname, c.relname, i.indrelid,
           c.relfilenode AS node
    FROM scope s
    JOIN pg_catalog.pg_class c ON c.oid = s.oid
    JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    LEFT JOIN pg_catalog.pg_index i ON i.indexrelid = c.oid
    WHERE c.relkind IN ('r', 'p', 'm', 'i', 'I')
      AND n.nspname <> 'information_schema'
      -- No LIKE: a percent sign means a parameter to some drivers (pg8000), even alone.
      AND n.nspname !~ '^pg_(toast|temp_)'
), tables AS (
    SELECT r.oid, r.relnatts FROM relations r WHERE r.relkind IN ('r', 'p')
), work AS (
    SELECT r.oid,
           pg_catalog.pg_stat_get_xact_numscans(r.oid)
           + pg_catalog.pg_stat_get_xact_tuples_inserted(r.oid)
           + pg_catalog.pg_stat_get_xact_tuples_updated(r.oid)
           + pg_catalog.pg_stat_get_xact_tuples_deleted(r.oid) AS done
    FROM relations r
    WHERE r.relkind IN ('r', 'm')
)
SELECT pg_catalog.json_build_object(
    'xact', pg_catalog.now()::text,
    'lock_timeout', pg_catalog.current_setting('lock_timeout'),
    'statement_timeout', pg_catalog.current_setting('statement_timeout'),
    'work', (
        SELECT coalesce(pg_catalog.json_agg(pg_catalog.json_build_array(w.oid, w.done)), '[]')
        FROM work w
        WHERE w.done > 0
    ),
    'relations', (
        SELECT coalesce(pg_catalog.json_agg(pg_catalog.json_build_array(
            r.oid, r.node, r.relkind, r.indrelid, r.nspname, r.relname, r.relnatts)), '[]')
        FROM relations r
    ),
    'held', (
        SELECT coalesce(pg_catalog.json_agg(pg_catalog.json_build_array(h.relation, h.modes)), '[]')
        FROM held h
    ),
    'not_null', (
        SELECT coalesce(pg_catalog.json_agg(pg_catalog.json_build_array(
            a.attrelid, a.attnum, a.attname)), '[]')
        FROM tables t
        JOIN pg_catalog.pg_attribute a ON a.attrelid = t.oid
        WHERE a.attnum > 0 AND a.attnotnull AND NOT a.attisdropped
    ),
    'constraints', (
        SELECT coalesce(pg_catalog.json_agg(pg_catalog.json_build_array(
            x.conrelid, x.oid, x.conname, x.contype, x.convalidated)), '[]')
        FROM tables t
        JOIN pg_catalog.pg_constraint x ON x.conrelid = t.oid
        WHERE x.contype IN ('c', 'f')
    ),
    'not_valid_not_null', (
        -- PostgreSQL 18: NOT NULL added NOT VALID (no scan), by the column it covers.
        SELECT coalesce(pg_catalog.json_agg(pg_catalog.json_build_array(x.conrelid, x.conkey)), '[]')
        FROM tables t
        JOIN pg_catalog.pg_constraint x ON x.conrelid = t.oid
        WHERE x.contype = 'n' AND NOT x.convalidated
    )
)::text
