"""backfill plan

Revision ID: 0003
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa

revision = "0003"
down_revision = '0002'
branch_labels = None
depends_on = None

def upgrade() -> None:
    op.execute("UPDATE users SET plan = 'free' WHERE plan IS NULL")


def downgrade() -> None:
    # Nothing to undo: the plans filled in are harmless to the release before.
    pass
