"""subscriptions per account unique

Revision ID: b2d3e4f5a6b7
Revises: b1c2d3e4f5a6
Create Date: 2024-01-24 10:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = 'b2d3e4f5a6b7'
down_revision: Union[str, Sequence[str], None] = 'b1c2d3e4f5a6'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_unique_constraint("uq_subscriptions_account_id", "subscriptions", ["account_id"])


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_constraint("uq_subscriptions_account_id", "subscriptions", type_="unique")
