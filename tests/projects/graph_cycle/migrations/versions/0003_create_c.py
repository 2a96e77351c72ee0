"""create c

Revision ID: 0003
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("c", sa.Column("id", sa.Integer(), primary_key=True))


def downgrade() -> None:
    op.drop_table("c")
