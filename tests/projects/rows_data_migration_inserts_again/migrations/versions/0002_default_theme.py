"""default theme

Revision ID: 0002
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa

revision = "0002"
down_revision = '0001'
branch_labels = None
depends_on = None

def upgrade() -> None:
    op.execute("INSERT INTO settings (name, value) VALUES ('theme', 'light')")


def downgrade() -> None:
    pass
