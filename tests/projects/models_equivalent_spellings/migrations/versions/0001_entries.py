"""entries, written in SQL

Revision ID: 0001
Revises:
Create Date: 2024-06-02 10:00:00.000000

"""
from alembic import op


revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE SEQUENCE entry_number_seq")
    op.execute("CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')")
    op.execute(
        """
        CREATE TABLE entries (
            id serial PRIMARY KEY,
            mood mood NOT NULL DEFAULT 'ok',
            qty integer NOT NULL DEFAULT '0',
            price numeric(10, 2),
            status varchar(20) NOT NULL DEFAULT 'open'::varchar,
            created_at timestamptz DEFAULT CURRENT_TIMESTAMP,
            ratio double precision,
            number bigint DEFAULT nextval('entry_number_seq'),
            tags text[] NOT NULL DEFAULT '{}',
            attrs jsonb NOT NULL DEFAULT '{}'::jsonb,
            CONSTRAINT ck_entries_qty CHECK ((qty) >= (0) AND qty < 1000)
        )
        """
    )
    op.execute(
        "CREATE INDEX ix_entries_open ON entries (status) WHERE ((status)::text = 'open'::text)"
    )


def downgrade() -> None:
    op.execute("DROP TABLE entries")
    op.execute("DROP TYPE mood")
    op.execute("DROP SEQUENCE entry_number_seq")
