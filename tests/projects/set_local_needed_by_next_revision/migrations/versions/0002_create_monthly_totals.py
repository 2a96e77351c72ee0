"""create monthly totals

Revision ID: 0002
Revises: 0001
Create Date: 2024-06-04 09:00:00.000000

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
    op.execute("SET LOCAL search_path TO reporting, public")
    op.create_table(
        "monthly_totals",
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("orders", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("month"),
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.execute("SET LOCAL search_path TO reporting, public")
    op.drop_table("monthly_totals")
