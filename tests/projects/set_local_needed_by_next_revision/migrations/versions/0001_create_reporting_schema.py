"""create reporting schema

Revision ID: 0001
Revises: 
Create Date: 2024-06-03 09:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0001'
down_revision: Union[str, Sequence[str], None] = None
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.execute("CREATE SCHEMA reporting")


def downgrade() -> None:
    """Downgrade schema."""
    op.execute("DROP SCHEMA reporting")
