"""create stores, sales and daily_sales

Revision ID: 0001
Revises: 
Create Date: 2024-05-01 09:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "stores",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.Text(), nullable=False),
    )
    op.create_table(
        "sales",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("store_id", sa.Integer(), sa.ForeignKey("stores.id"), nullable=False),
        sa.Column("sold_on", sa.Date(), nullable=False),
        sa.Column("amount", sa.Numeric(12, 2), nullable=False),
        sa.Column("refunded", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    op.execute(
        """
        CREATE MATERIALIZED VIEW daily_sales AS
        SELECT st.name AS store, s.sold_on, sum(s.amount) AS total
        FROM sales s JOIN stores st ON st.id = s.store_id
        WHERE NOT s.refunded
        GROUP BY st.name, s.sold_on
        """
    )


def downgrade() -> None:
    op.execute("DROP MATERIALIZED VIEW daily_sales")
    op.drop_table("sales")
    op.drop_table("stores")
