"""merge addresses and preferences

Revision ID: 4d5e6f708192
Revises: 2b3c4d5e6f70, 3c4d5e6f7081
Create Date: 2024-01-16 10:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '4d5e6f708192'
down_revision: Union[str, Sequence[str], None] = ('2b3c4d5e6f70', '3c4d5e6f7081')
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.execute(
        """
        CREATE VIEW account_profiles AS
        SELECT a.id, a.email, p.locale, count(ad.id) AS addresses
        FROM accounts a
        LEFT JOIN preferences p ON p.account_id = a.id
        LEFT JOIN addresses ad ON ad.account_id = a.id
        GROUP BY a.id, a.email, p.locale
        """
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.execute("DROP VIEW account_profiles")
