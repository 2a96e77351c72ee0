"""weekly hours report

Revision ID: 9a8b7c6d5e4f
Revises: 0f1e2d3c4b5a
Create Date: 2025-06-16 09:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '9a8b7c6d5e4f'
down_revision: Union[str, Sequence[str], None] = '0f1e2d3c4b5a'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.execute(
        """
        CREATE MATERIALIZED VIEW weekly_hours AS
        SELECT week, sum(hours) AS hours, count(*) AS employees
        FROM timesheets GROUP BY week
        """
    )
    op.execute("CREATE UNIQUE INDEX IF NOT EXISTS weekly_hours_week ON weekly_hours (week)")
    op.execute("CREATE INDEX IF NOT EXISTS timesheets_week ON timesheets (week)")


def downgrade() -> None:
    """Downgrade schema."""
    op.execute("DROP MATERIALIZED VIEW weekly_hours")
