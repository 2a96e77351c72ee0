"""partitions, functions, statistics, a rule, privileges: more that each version prints

Revision ID: 0003
Revises: 0002
Create Date: 2024-06-03 09:30:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE measurements (
            taken_on date NOT NULL,
            region text NOT NULL COLLATE "C",
            value double precision DEFAULT -1.5,
            ratio numeric DEFAULT 0.25 CHECK (ratio IS NULL OR ratio <= 1),
            window_length interval DEFAULT '01:30:00',
            flags bit varying(8) DEFAULT B'101',
            PRIMARY KEY (taken_on, region)
        ) PARTITION BY RANGE (taken_on)
        """
    )
    op.execute(
        "CREATE TABLE measurements_2024 PARTITION OF measurements "
        "FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')"
    )
    op.execute("CREATE TABLE measurements_rest PARTITION OF measurements DEFAULT")
    op.execute("CREATE TABLE tallies (region text, n int) PARTITION BY LIST (lower(region))")
    op.execute("CREATE TABLE tallies_eu PARTITION OF tallies FOR VALUES IN ('eu', 'uk')")
    op.execute("CREATE TABLE shards (id int) PARTITION BY HASH (id)")
    op.execute("CREATE TABLE shards_0 PARTITION OF shards FOR VALUES WITH (MODULUS 2, REMAINDER 0)")
    op.execute("CREATE STATISTICS events_stats (ndistinct, dependencies) ON status, day FROM events")
    op.execute(
        """
        CREATE FUNCTION event_count(p_status text DEFAULT 'new') RETURNS bigint
        LANGUAGE sql STABLE STRICT PARALLEL SAFE COST 50
        SET search_path = public
        AS $$ SELECT count(*) FROM events WHERE status = p_status $$
        """
    )
    op.execute(
        """
        CREATE FUNCTION recent_events(p_days int) RETURNS TABLE (id bigint, name text)
        LANGUAGE plpgsql SECURITY DEFINER ROWS 10 AS $$
        BEGIN
            RETURN QUERY SELECT e.id, e.name FROM events e
                WHERE e.created_at > now() - make_interval(days => p_days);
        END
        $$
        """
    )
    op.execute("REVOKE EXECUTE ON FUNCTION recent_events(int) FROM PUBLIC")
    op.execute("CREATE TYPE span AS (low int, high int)")
    op.execute("CREATE DOMAIN short_text AS text NOT NULL CHECK (length(VALUE) < 10)")
    op.execute("CREATE SEQUENCE ticket_numbers AS integer START 100 INCREMENT 5 CACHE 10 CYCLE")
    op.execute("GRANT USAGE ON SEQUENCE ticket_numbers TO PUBLIC")
    op.execute("GRANT SELECT (id, name), UPDATE (name) ON events TO PUBLIC")
    op.execute("ALTER DEFAULT PRIVILEGES GRANT ALL ON TABLES TO PUBLIC")
    op.execute("ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC")
    op.execute(
        "CREATE RULE measurements_keep AS ON DELETE TO measurements_rest "
        "WHERE old.value IS NULL DO INSTEAD NOTHING"
    )
    op.execute("CREATE INDEX ix_measurements_value ON measurements (value DESC NULLS LAST)")
    op.execute("CREATE INDEX ix_events_brin ON events USING brin (created_at) WITH (pages_per_range = 32)")
    op.execute("CREATE INDEX ix_events_cover ON events (status) INCLUDE (name)")
    op.execute(
        "ALTER TABLE events ADD CONSTRAINT events_code_len CHECK (char_length(code) <= 8) NOT VALID"
    )


def downgrade() -> None:
    op.execute("ALTER TABLE events DROP CONSTRAINT events_code_len")
    op.execute("DROP INDEX ix_events_cover")
    op.execute("DROP INDEX ix_events_brin")
    op.execute("DROP INDEX ix_measurements_value")
    op.execute("DROP RULE measurements_keep ON measurements_rest")
    op.execute("ALTER DEFAULT PRIVILEGES GRANT EXECUTE ON FUNCTIONS TO PUBLIC")
    op.execute("ALTER DEFAULT PRIVILEGES REVOKE ALL ON TABLES FROM PUBLIC")
    op.execute("REVOKE SELECT (id, name), UPDATE (name) ON events FROM PUBLIC")
    op.execute("DROP SEQUENCE ticket_numbers")
    op.execute("DROP DOMAIN short_text")
    op.execute("DROP TYPE span")
    op.execute("DROP FUNCTION recent_events(int)")
    op.execute("DROP FUNCTION event_count(text)")
    op.execute("DROP STATISTICS events_stats")
    op.execute("DROP TABLE shards")
    op.execute("DROP TABLE tallies")
    op.execute("DROP TABLE measurements")
