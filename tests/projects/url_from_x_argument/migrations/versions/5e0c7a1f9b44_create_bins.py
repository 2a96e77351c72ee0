"""create bins

Revision ID: 5e0c7a1f9b44
Revises: 
Create Date: 2024-06-03 13:44:18.520347

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '5e0c7a1f9b44'
down_revision: Union[str, Sequence[str], None] = None
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "bins",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("aisle", sa.String(length=4), nullable=False),
        sa.Column("shelf", sa.SmallInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("aisle", "shelf"),
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("bins")
