"""end the process

Revision ID: 0002
Revises: 0001
Create Date: 2024-06-02 09:00:00.000000

"""
import os

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_orders_quantity", "orders", ["quantity"])
    # A migration that ends its process: a finding of its step, never a pass.
    os._exit(0)


def downgrade() -> None:
    op.drop_index("ix_orders_quantity", table_name="orders")
