"""create targets

Revision ID: 0004
Revises: 0003
Create Date: 2024-06-06 09:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0004'
down_revision: Union[str, Sequence[str], None] = '0003'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "targets",
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("revenue_cents", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("month"),
        schema="reporting",
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("targets", schema="reporting")
