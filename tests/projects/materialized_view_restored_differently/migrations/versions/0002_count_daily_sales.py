"""count sales per day

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
    op.execute("DROP MATERIALIZED VIEW daily_sales")
    op.execute(
        """
        CREATE MATERIALIZED VIEW daily_sales AS
        SELECT sold_on, sum(amount) AS total, count(*) AS sales
        FROM sales
        WHERE NOT refunded
        GROUP BY sold_on
        """
    )


def downgrade() -> None:
    op.execute("DROP MATERIALIZED VIEW daily_sales")
    op.execute(
        """
        CREATE MATERIALIZED VIEW daily_sales AS
        SELECT sold_on, sum(amount) AS total
        FROM sales
        GROUP BY sold_on
        """
    )
