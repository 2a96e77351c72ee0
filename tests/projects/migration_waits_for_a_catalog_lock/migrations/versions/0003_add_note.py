"""add a note to orders

Revision ID: 0003
Revises: 0002
Create Date: 2024-06-03 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("orders", sa.Column("note", sa.Text()))


def downgrade() -> None:
    op.drop_column("orders", "note")
