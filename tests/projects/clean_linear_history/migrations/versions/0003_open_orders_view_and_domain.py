"""open orders view, postal code domain

Revision ID: 0003
Revises: 0002
Create Date: 2024-05-03 09:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE DOMAIN postal_code AS text CHECK (VALUE ~ '^[0-9A-Z -]{3,10}$')")
    op.add_column("customers", sa.Column("postal_code", sa.Text(), nullable=True))
    op.execute("ALTER TABLE customers ALTER COLUMN postal_code TYPE postal_code")
    op.execute(
        """
        CREATE VIEW open_orders AS
        SELECT o.id, o.number, c.email, o.total
        FROM orders o JOIN customers c ON c.id = o.customer_id
        WHERE o.status = 'open'
        """
    )
    op.execute("ALTER TYPE order_status ADD VALUE 'cancelled'")


def downgrade() -> None:
    op.execute("DROP VIEW open_orders")
    op.drop_column("customers", "postal_code")
    op.execute("DROP DOMAIN postal_code")
    # Removing an enum value: rebuild the type without it.
    op.execute("ALTER TYPE order_status RENAME TO order_status_old")
    op.execute("CREATE TYPE order_status AS ENUM ('open', 'paid', 'shipped')")
    op.drop_index("ix_orders_open", table_name="orders")
    op.execute("ALTER TABLE orders ALTER COLUMN status DROP DEFAULT")
    op.execute(
        "ALTER TABLE orders ALTER COLUMN status TYPE order_status USING status::text::order_status"
    )
    op.execute("ALTER TABLE orders ALTER COLUMN status SET DEFAULT 'open'")
    op.execute("DROP TYPE order_status_old")
    op.create_index("ix_orders_open", "orders", ["customer_id"],
                    postgresql_where=sa.text("status = 'open'"))
