"""add pending ticket status

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
    op.execute("ALTER TYPE ticket_status ADD VALUE IF NOT EXISTS 'pending' BEFORE 'closed'")


def downgrade() -> None:
    # PostgreSQL cannot drop a value from an enum type; 'pending' stays.
    pass
