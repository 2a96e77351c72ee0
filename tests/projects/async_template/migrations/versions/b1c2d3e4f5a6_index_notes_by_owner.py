"""index notes by owner

Revision ID: b1c2d3e4f5a6
Revises: 8e7d6c5b4a39
Create Date: 2024-05-02 11:47:05.280011

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = 'b1c2d3e4f5a6'
down_revision: Union[str, Sequence[str], None] = '8e7d6c5b4a39'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_index("ix_notes_owner_created", "notes", ["owner", "id"], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index("ix_notes_owner_created", table_name="notes")
