"""index open orders by customer

Revision ID: 0002
Revises: 0001
Create Date: 2024-05-02 09:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_orders_open_created_at", table_name="orders")
    op.create_index(
        "ix_orders_open_customer",
        "orders",
        ["customer_id", "created_at"],
        postgresql_where=sa.text("status = 'open'"),
    )


def downgrade() -> None:
    op.drop_index("ix_orders_open_customer", table_name="orders")
    op.create_index("ix_orders_open_created_at", "orders", ["created_at"])
