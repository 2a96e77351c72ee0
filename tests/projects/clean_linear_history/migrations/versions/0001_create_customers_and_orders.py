"""create customers and orders

Revision ID: 0001
Revises: 
Create Date: 2024-05-01 09:30:00.000000

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


# revision identifiers, used by Alembic.
revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS citext")
    op.create_table(
        "customers",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("email", sa.Text(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False, comment="Display name"),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.UniqueConstraint("email", name="uq_customers_email"),
        comment="Customers of the shop",
    )
    op.alter_column("customers", "email", type_=postgresql.CITEXT(), existing_type=sa.Text(),
                    postgresql_using="email::citext")
    op.create_table(
        "orders",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.Enum("open", "paid", "shipped", name="order_status"), nullable=False,
                  server_default="open"),
        sa.Column("total", sa.Numeric(12, 2), nullable=False),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"], name="fk_orders_customer_id",
                                ondelete="CASCADE"),
        sa.CheckConstraint("total >= 0", name="ck_orders_total"),
    )
    op.create_index("ix_orders_open", "orders", ["customer_id"],
                    postgresql_where=sa.text("status = 'open'"))


def downgrade() -> None:
    op.drop_index("ix_orders_open", table_name="orders")
    op.drop_table("orders")
    sa.Enum(name="order_status").drop(op.get_bind())
    op.drop_table("customers")
    op.execute("DROP EXTENSION citext")
