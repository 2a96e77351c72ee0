"""reset quantities

Revision ID: 0002
Revises: 0001
Create Date: 2024-06-02 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    orders = sa.table("orders", sa.column("quantity", sa.Integer()))
    # A string literal into an integer column: psycopg2 sends it untyped (the server
    # casts it), psycopg 3 as text (the server refuses).
    op.execute(orders.update().values(quantity=sa.literal("0")))


def downgrade() -> None:
    pass
