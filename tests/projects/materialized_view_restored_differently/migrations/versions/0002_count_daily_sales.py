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
        SELECT st.name AS store, s.sold_on, sum(s.amount) AS total, count(*) AS sales
        FROM sales s JOIN stores st ON st.id = s.store_id
        WHERE NOT s.refunded
        GROUP BY st.name, s.sold_on
        """
    )


def downgrade() -> None:
    op.execute("DROP MATERIALIZED VIEW daily_sales")
    op.execute(
        """
        CREATE MATERIALIZED VIEW daily_sales AS
        SELECT st.name AS store, s.sold_on, sum(s.amount) AS total
        FROM sales s JOIN stores st ON st.id = s.store_id
        GROUP BY st.name, s.sold_on
        """
    )
