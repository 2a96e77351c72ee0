"""add events.source

Revision ID: 0003
Revises: 0002
Create Date: 2024-05-03 09:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("events", sa.Column("source", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("events", "source")
