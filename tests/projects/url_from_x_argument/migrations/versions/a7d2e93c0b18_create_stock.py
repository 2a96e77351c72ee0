"""create stock

Revision ID: a7d2e93c0b18
Revises: 5e0c7a1f9b44
Create Date: 2024-06-10 09:02:51.117002

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
from alembic import context


# revision identifiers, used by Alembic.
revision: str = 'a7d2e93c0b18'
down_revision: Union[str, Sequence[str], None] = '5e0c7a1f9b44'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "stock",
        sa.Column("bin_id", sa.Integer(), nullable=False),
        sa.Column("sku", sa.String(length=32), nullable=False),
        sa.Column("quantity", sa.Integer(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(["bin_id"], ["bins.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("bin_id", "sku"),
    )
    if context.get_x_argument(as_dictionary=True).get("data") == "true":
        op.execute("INSERT INTO bins (aisle, shelf) VALUES ('A1', 1), ('A1', 2)")


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("stock")
