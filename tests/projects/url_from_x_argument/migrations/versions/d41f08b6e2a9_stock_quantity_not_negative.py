"""stock quantity not negative

Revision ID: d41f08b6e2a9
Revises: a7d2e93c0b18
Create Date: 2024-07-22 15:28:09.903114

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = 'd41f08b6e2a9'
down_revision: Union[str, Sequence[str], None] = 'a7d2e93c0b18'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_check_constraint("ck_stock_quantity", "stock", "quantity >= 0")
    op.alter_column("stock", "quantity", server_default=None)


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_constraint("ck_stock_quantity", "stock", type_="check")
