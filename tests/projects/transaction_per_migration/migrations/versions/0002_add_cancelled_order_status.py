"""add cancelled order status

Revision ID: 0002
Revises: 0001
Create Date: 2024-05-13 09:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0002'
down_revision: Union[str, Sequence[str], None] = '0001'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.execute("ALTER TYPE order_status ADD VALUE 'cancelled'")


def downgrade() -> None:
    """Downgrade schema."""
    op.execute("UPDATE orders SET status = 'pending' WHERE status = 'cancelled'")
    op.execute("ALTER TYPE order_status RENAME TO order_status_old")
    op.execute("CREATE TYPE order_status AS ENUM ('pending', 'paid', 'shipped')")
    op.execute(
        "ALTER TABLE orders ALTER COLUMN status TYPE order_status"
        " USING status::text::order_status"
    )
    op.execute("DROP TYPE order_status_old")
