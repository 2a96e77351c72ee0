"""seed plans

Revision ID: 0002
Revises: 0001
Create Date: 2024-05-02 09:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    plans = sa.table(
        "plans",
        sa.column("id", sa.Integer()),
        sa.column("code", sa.String()),
        sa.column("monthly_price", sa.Numeric()),
    )
    op.bulk_insert(
        plans,
        [
            {"id": 1, "code": "free", "monthly_price": 0},
            {"id": 2, "code": "pro", "monthly_price": 12},
            {"id": 3, "code": "team", "monthly_price": 40},
        ],
    )


def downgrade() -> None:
    op.execute("DELETE FROM plans WHERE code IN ('free', 'pro', 'team')")
