"""create products

Revision ID: 0001
Revises: 
"""
from alembic import op
import sqlalchemy as sa

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

def upgrade() -> None:
    op.create_table(
        "products",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("sku", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.CheckConstraint("status IN ('draft', 'active', 'retired')", name="products_status_check"),
        sa.CheckConstraint("quantity BETWEEN 0 AND 1000", name="products_quantity_check"),
    )
    op.create_table(
        "catalogues",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("code", sa.Text(), nullable=False),
        sa.CheckConstraint("code ~ '^[A-Z]{3}-[0-9]{4}$'", name="catalogues_code_check"),
    )


def downgrade() -> None:
    op.drop_table("catalogues")
    op.drop_table("products")
