"""index app.orders by placed_at

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
    op.create_index(
        "ix_orders_placed_at", "orders", ["placed_at"], schema="app", if_not_exists=True
    )


def downgrade() -> None:
    op.drop_index("ix_orders_placed_at", table_name="orders", if_exists=True)
