"""number orders, keep updated_at current

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
    op.execute("CREATE SEQUENCE order_number_seq START 1000")
    op.add_column("orders", sa.Column("number", sa.BigInteger(), nullable=False,
                                      server_default=sa.text("nextval('order_number_seq')")))
    op.add_column("orders", sa.Column("updated_at", sa.DateTime(timezone=True),
                                      server_default=sa.func.now(), nullable=False))
    op.execute(
        """
        CREATE FUNCTION touch_updated_at() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            NEW.updated_at := now();
            RETURN NEW;
        END;
        $$
        """
    )
    op.execute(
        """
        CREATE TRIGGER trg_orders_touch BEFORE UPDATE ON orders
        FOR EACH ROW EXECUTE FUNCTION touch_updated_at()
        """
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER trg_orders_touch ON orders")
    op.execute("DROP FUNCTION touch_updated_at()")
    op.drop_column("orders", "updated_at")
    op.drop_column("orders", "number")
    op.execute("DROP SEQUENCE order_number_seq")
