"""item slugs

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
    # A backfill: the trigger sets updated_at anew, which the downgrade leaves (no loss).
    op.add_column("items", sa.Column("slug", sa.Text()))
    op.execute("UPDATE items SET slug = lower(name)")


def downgrade() -> None:
    op.drop_column("items", "slug")
