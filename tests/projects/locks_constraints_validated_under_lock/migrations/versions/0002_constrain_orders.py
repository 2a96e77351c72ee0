"""constrain orders

Revision ID: 0002
Revises: 0001
Create Date: 2024-06-01 09:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0002"
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("SET lock_timeout = '5s'")
    op.create_foreign_key("fk_orders_user", "orders", "users", ["user_id"], ["id"])
    op.create_check_constraint("ck_orders_total", "orders", "total >= 0")


def downgrade() -> None:
    op.execute("SET lock_timeout = '5s'")
    op.drop_constraint("ck_orders_total", "orders", type_="check")
    op.drop_constraint("fk_orders_user", "orders", type_="foreignkey")
