"""add accounts.display_name

Revision ID: 0003
Revises: 0002
Create Date: 2024-07-03 09:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("accounts", sa.Column("display_name", sa.Text()))


def downgrade() -> None:
    op.drop_column("accounts", "display_name")
