"""allow free products, cap prices

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
    op.drop_constraint("ck_products_price", "products", type_="check")
    op.create_check_constraint("ck_products_price", "products", "price >= 0 AND price < 100000")


def downgrade() -> None:
    op.drop_constraint("ck_products_price", "products", type_="check")
    op.create_check_constraint("ck_products_price", "products", "price >= 0")
