-- Which object kinds may have objects at all: a snapshot skips the query of a kind
-- whose column here is false. Each test is a superset of what the kind's own query
-- returns (user objects always have OIDs from FirstNormalObjectId, 16384, on), so a
-- skipped query could only have returned no rows. Kinds without a column always run.
SELECT
    EXISTS (SELECT 1 FROM pg_collation WHERE oid >= 16384) AS collation,
    EXISTS (SELECT 1 FROM pg_class WHERE oid >= 16384 AND relkind = 'c') AS composite,
    EXISTS (SELECT 1 FROM pg_default_acl) AS default_acl,
    EXISTS (SELECT 1 FROM pg_type WHERE oid >= 16384 AND typtype = 'd') AS domain,
    EXISTS (SELECT 1 FROM pg_type WHERE oid >= 16384 AND typtype = 'e') AS enum,
    EXISTS (SELECT 1 FROM pg_event_trigger) AS event_trigger,
    EXISTS (SELECT 1 FROM pg_proc WHERE oid >= 16384) AS function,
    EXISTS (SELECT 1 FROM pg_policy) AS policy,
    EXISTS (SELECT 1 FROM pg_rewrite WHERE oid >= 16384 AND rulename <> '_RETURN') AS rule,
    EXISTS (SELECT 1 FROM pg_class WHERE oid >= 16384 AND relkind = 'S') AS sequence,
    EXISTS (SELECT 1 FROM pg_statistic_ext) AS statistics,
    EXISTS (SELECT 1 FROM pg_trigger WHERE oid >= 16384) AS trigger,
    EXISTS (SELECT 1 FROM pg_class WHERE oid >= 16384 AND relkind IN ('v', 'm')) AS view,
    EXISTS (SELECT 1 FROM pg_class WHERE oid >= 16384 AND relkind IN ('r', 'p')) AS "table"
