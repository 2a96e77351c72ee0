"""add accounts closed_at

Revision ID: 3d4e5f607182
Revises: 2c3d4e5f6071
Create Date: 2024-02-01 17:30:26.004519

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '3d4e5f607182'
down_revision: Union[str, Sequence[str], None] = '2c3d4e5f6071'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.add_column("accounts", sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_column("accounts", "closed_at")
