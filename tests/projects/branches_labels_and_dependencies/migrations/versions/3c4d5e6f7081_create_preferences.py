"""create preferences

Revision ID: 3c4d5e6f7081
Revises: 1a2b3c4d5e6f
Create Date: 2024-01-09 11:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '3c4d5e6f7081'
down_revision: Union[str, Sequence[str], None] = '1a2b3c4d5e6f'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "preferences",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("locale", sa.String(length=10), server_default="en", nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("account_id"),
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("preferences")
