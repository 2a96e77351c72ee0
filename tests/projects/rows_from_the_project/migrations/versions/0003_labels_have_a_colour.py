"""labels have a colour

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
    op.add_column("labels", sa.Column("colour", sa.Text(), nullable=False))


def downgrade() -> None:
    op.drop_column("labels", "colour")
