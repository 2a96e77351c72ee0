"""reporting schema with daily counts

Revision ID: 0002
Revises: 0001
Create Date: 2024-05-02 09:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE SCHEMA IF NOT EXISTS reporting")
    op.create_table(
        "daily_events",
        sa.Column("day", sa.Date(), primary_key=True),
        sa.Column("events", sa.Integer(), nullable=False),
        schema="reporting",
    )


def downgrade() -> None:
    op.drop_table("daily_events", schema="reporting")
