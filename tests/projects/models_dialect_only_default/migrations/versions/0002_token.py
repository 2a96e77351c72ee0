"""add a token without its default

Revision ID: 0002
Revises: 0001
Create Date: 2024-06-02 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("orders", sa.Column("token", sa.Uuid(), nullable=False))


def downgrade() -> None:
    op.drop_column("orders", "token")
