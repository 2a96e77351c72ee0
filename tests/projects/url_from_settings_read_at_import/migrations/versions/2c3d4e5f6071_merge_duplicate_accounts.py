"""merge duplicate accounts

Revision ID: 2c3d4e5f6071
Revises: 1b2c3d4e5f60
Create Date: 2024-01-15 08:55:10.667104

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '2c3d4e5f6071'
down_revision: Union[str, Sequence[str], None] = '1b2c3d4e5f60'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    # Accounts imported twice by the 2023 migration share a name; keep the oldest.
    op.execute(
        """
        UPDATE entries e SET account_id = keep.id
        FROM accounts dup
        JOIN LATERAL (
            SELECT min(a.id) AS id FROM accounts a WHERE a.name = dup.name
        ) keep ON keep.id <> dup.id
        WHERE e.account_id = dup.id
        """
    )
    op.execute(
        "DELETE FROM accounts a WHERE EXISTS "
        "(SELECT 1 FROM accounts b WHERE b.name = a.name AND b.id < a.id)"
    )


def downgrade() -> None:
    """Downgrade schema."""
    raise NotImplementedError("merged accounts cannot be split again")
