"""create notes

Revision ID: 8e7d6c5b4a39
Revises: 3f2a1b0c9d8e
Create Date: 2024-04-15 18:20:33.806152

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '8e7d6c5b4a39'
down_revision: Union[str, Sequence[str], None] = '3f2a1b0c9d8e'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "notes",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("archived", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_notes_user_id_active",
        "notes",
        ["user_id"],
        unique=False,
        postgresql_where=sa.text("NOT archived"),
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index("ix_notes_user_id_active", table_name="notes")
    op.drop_table("notes")
