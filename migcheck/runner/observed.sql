-- What a migration's own transaction sees after each of its statements (and as each
-- revision starts): every relation of the project's schemas with its storage file (a
-- rewrite gives it a new one), the locks this backend holds, each table's NOT NULL
-- columns and constraints (a CHECK's text only where a lock is held), the timeouts in
-- force, and per table how many scans and row writes the transaction made so far. One
-- row, one JSON text: the same for every driver. Nothing here takes a lock
-- (pg_relation_size would: a table another session locked would stop it).
WITH relations AS (
    SELECT c.oid, c.relkind, c.relnatts, n.nspname, c.relname, i.indrelid,
           pg_catalog.pg_relation_filenode(c.oid) AS node
    FROM pg_catalog.pg_class c
    JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    LEFT JOIN pg_catalog.pg_index i ON i.indexrelid = c.oid
    WHERE c.relkind IN ('r', 'p', 'm', 'i', 'I')
      AND n.nspname NOT IN ('pg_catalog', 'information_schema')
      -- No LIKE: a percent sign means a parameter to some drivers (pg8000), even alone.
      AND n.nspname !~ '^pg_(toast|temp_)'
), held AS (
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
)
SELECT pg_catalog.json_build_object(
    'xact', pg_catalog.now()::text,
    'lock_timeout', pg_catalog.current_setting('lock_timeout'),
    'statement_timeout', pg_catalog.current_setting('statement_timeout'),
    'work', (
        SELECT coalesce(pg_catalog.json_agg(pg_catalog.json_build_array(
            s.relid, s.seq_scan + s.n_tup_ins + s.n_tup_upd + s.n_tup_del)), '[]')
        FROM pg_catalog.pg_stat_xact_user_tables s
        WHERE s.seq_scan + s.n_tup_ins + s.n_tup_upd + s.n_tup_del > 0
    ),
    'relations', (
        SELECT coalesce(pg_catalog.json_agg(pg_catalog.json_build_array(
            r.oid, r.node, r.relkind, r.indrelid, r.nspname, r.relname)), '[]')
        FROM relations r
    ),
    'held', (
        SELECT coalesce(pg_catalog.json_agg(pg_catalog.json_build_array(h.relation, h.modes)), '[]')
        FROM held h
    ),
    'tables', (
        SELECT coalesce(pg_catalog.json_agg(pg_catalog.json_build_array(
            r.oid,
            r.relnatts,
            (SELECT coalesce(pg_catalog.json_agg(pg_catalog.json_build_array(a.attnum, a.attname)), '[]')
             FROM pg_catalog.pg_attribute a
             WHERE a.attrelid = r.oid AND a.attnum > 0 AND a.attnotnull AND NOT a.attisdropped),
            (SELECT coalesce(pg_catalog.json_agg(pg_catalog.json_build_array(
                        x.oid, x.conname, x.contype, x.convalidated, x.conkey,
                        CASE WHEN x.contype = 'c' AND r.oid IN (SELECT h.relation FROM held h)
                             THEN pg_catalog.pg_get_constraintdef(x.oid) END)), '[]')
             FROM pg_catalog.pg_constraint x
             WHERE x.conrelid = r.oid AND x.contype IN ('c', 'f', 'n'))
        )), '[]')
        FROM relations r
        WHERE r.relkind IN ('r', 'p')
    )
)::text
