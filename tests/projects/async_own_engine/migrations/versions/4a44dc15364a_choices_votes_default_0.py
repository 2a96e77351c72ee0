"""choices votes default 0

Revision ID: 4a44dc15364a
Revises: 1c8bfe8f801d
Create Date: 2024-08-09 16:33:12.018877

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '4a44dc15364a'
down_revision: Union[str, Sequence[str], None] = '1c8bfe8f801d'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.alter_column("choices", "votes", existing_type=sa.Integer(), server_default="0")


def downgrade() -> None:
    """Downgrade schema."""
    pass
