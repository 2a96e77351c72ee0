"""cancel stale unpaid orders

Revision ID: 0003
Revises: 0002
Create Date: 2024-05-14 09:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0003'
down_revision: Union[str, Sequence[str], None] = '0002'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.execute(
        "UPDATE orders SET status = 'cancelled'"
        " WHERE status = 'pending' AND placed_at < now() - interval '30 days'"
    )
    op.create_index(
        "ix_orders_cancelled_placed_at",
        "orders",
        ["placed_at"],
        postgresql_where=sa.text("status = 'cancelled'"),
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index("ix_orders_cancelled_placed_at", table_name="orders")
