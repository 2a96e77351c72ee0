"""views over events, a policy and a trigger condition

Revision ID: 0002
Revises: 0001
Create Date: 2024-06-02 09:30:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        CREATE VIEW daily_events AS
        SELECT day, status, count(*) AS events, sum(price) FILTER (WHERE price > 0) AS revenue,
               string_agg(name, ', ' ORDER BY name) AS names
        FROM events
        WHERE deleted_at IS NULL AND name ILIKE '%a%'
        GROUP BY day, status
        """
    )
    op.execute(
        """
        CREATE VIEW event_words AS
        SELECT id, substring(name FROM 1 FOR 3) AS prefix, trim(leading 'x' from name) AS bare,
               EXTRACT(epoch FROM created_at)::double precision AS epoch, created_at AT TIME ZONE 'UTC' AS utc,
               normalize(name, NFC) AS normalized, data ->> 'k' AS k,
               CASE WHEN price > 10 THEN 'big' ELSE 'small' END AS size,
               coalesce(label, '-') AS label,
               rank() OVER (PARTITION BY status ORDER BY created_at DESC NULLS LAST) AS rank
        FROM events
        WHERE status <> 'done' AND id IN (SELECT id FROM events WHERE tags @> ARRAY['x'])
        """
    )
    op.execute(
        """
        CREATE VIEW event_pairs AS
        SELECT a.id, b.id AS next_id
        FROM events a JOIN events b ON b.id = a.id + 1
        WHERE a.created_at < b.created_at
        """
    )
    op.execute(
        """
        CREATE MATERIALIZED VIEW event_years AS
        SELECT year, count(*) AS events FROM events GROUP BY year
        """
    )
    op.execute("ALTER TABLE events ENABLE ROW LEVEL SECURITY")
    op.execute(
        "CREATE POLICY own_events ON events USING (author = CURRENT_USER) "
        "WITH CHECK (author = CURRENT_USER AND status IN ('new', 'done'))"
    )
    op.execute(
        """
        CREATE FUNCTION touch_event() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            NEW.due_at := now();
            RETURN NEW;
        END
        $$
        """
    )
    op.execute(
        "CREATE TRIGGER events_touch BEFORE UPDATE ON events FOR EACH ROW "
        "WHEN (OLD.status IS DISTINCT FROM NEW.status AND NEW.deleted_at IS NULL) EXECUTE FUNCTION touch_event()"
    )
    op.execute(
        "CREATE DOMAIN positive_price AS numeric(10, 2) DEFAULT 1 CHECK (VALUE > 0)"
    )


def downgrade() -> None:
    op.execute("DROP DOMAIN positive_price")
    op.execute("DROP TRIGGER events_touch ON events")
    op.execute("DROP FUNCTION touch_event()")
    op.execute("DROP POLICY own_events ON events")
    op.execute("ALTER TABLE events DISABLE ROW LEVEL SECURITY")
    op.execute("DROP MATERIALIZED VIEW event_years")
    op.execute("DROP VIEW event_pairs")
    op.execute("DROP VIEW event_words")
    op.execute("DROP VIEW daily_events")
