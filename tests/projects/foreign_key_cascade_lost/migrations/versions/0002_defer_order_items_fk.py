"""defer order items fk

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
    op.drop_constraint("fk_order_items_order_id", "order_items", type_="foreignkey")
    op.create_foreign_key(
        "fk_order_items_order_id",
        "order_items",
        "orders",
        ["order_id"],
        ["id"],
        ondelete="CASCADE",
        deferrable=True,
        initially="DEFERRED",
    )


def downgrade() -> None:
    op.drop_constraint("fk_order_items_order_id", "order_items", type_="foreignkey")
    op.create_foreign_key(
        "fk_order_items_order_id", "order_items", "orders", ["order_id"], ["id"]
    )
