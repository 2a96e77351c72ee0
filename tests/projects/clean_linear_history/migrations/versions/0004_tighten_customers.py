"""change defaults, comments and nullability

Revision ID: 0004
Revises: 0003
Create Date: 2024-05-04 09:30:00.000000

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


# revision identifiers, used by Alembic.
revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.alter_column("customers", "name", type_=sa.String(length=200), nullable=True,
                    comment="Display name, optional", existing_comment="Display name",
                    existing_type=sa.String(length=100), existing_nullable=False)
    op.create_table_comment("customers", "People who ordered at least once",
                            existing_comment="Customers of the shop")
    op.alter_column("orders", "status", server_default="paid",
                    existing_type=postgresql.ENUM(name="order_status", create_type=False))
    op.execute("ALTER TABLE customers ENABLE ROW LEVEL SECURITY")
    op.execute("CREATE POLICY customers_all ON customers USING (true)")


def downgrade() -> None:
    op.execute("DROP POLICY customers_all ON customers")
    op.execute("ALTER TABLE customers DISABLE ROW LEVEL SECURITY")
    op.alter_column("orders", "status", server_default="open",
                    existing_type=postgresql.ENUM(name="order_status", create_type=False))
    op.create_table_comment("customers", "Customers of the shop",
                            existing_comment="People who ordered at least once")
    op.alter_column("customers", "name", type_=sa.String(length=100), nullable=False,
                    comment="Display name", existing_comment="Display name, optional",
                    existing_type=sa.String(length=200), existing_nullable=True)
