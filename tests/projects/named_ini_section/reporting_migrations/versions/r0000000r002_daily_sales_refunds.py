"""daily sales refunds

Revision ID: r0000000r002
Revises: r0000000r001
Create Date: 2024-03-09 09:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = 'r0000000r002'
down_revision: Union[str, Sequence[str], None] = 'r0000000r001'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.add_column(
        "daily_sales",
        sa.Column("refunds_cents", sa.BigInteger(), server_default="0", nullable=False),
        schema="marts",
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_column("daily_sales", "refunds_cents", schema="marts")
