"""index quantity, keep it on downgrade

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
    op.create_index("ix_orders_quantity", "orders", ["quantity"])


def downgrade() -> None:
    pass
