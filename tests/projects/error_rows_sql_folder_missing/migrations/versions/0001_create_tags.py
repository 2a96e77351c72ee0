"""create tags

Revision ID: 0001
Revises: 
"""
from alembic import op
import sqlalchemy as sa

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

def upgrade() -> None:
    op.create_table("tags", sa.Column("id", sa.Integer(), primary_key=True))


def downgrade() -> None:
    op.drop_table("tags")
