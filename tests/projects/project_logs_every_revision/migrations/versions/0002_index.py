"""index quantity

Revision ID: 0002
Revises: 0001
Create Date: 2024-06-02 09:00:00.000000

"""
import logging

log = logging.getLogger("shop.migrations")

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    log.info("upgrading 0002: index quantity")
    print("stdout line of 0002")
    op.create_index("ix_orders_quantity", "orders", ["quantity"])


def downgrade() -> None:
    log.info("downgrading 0002")
    op.drop_index("ix_orders_quantity", table_name="orders")
