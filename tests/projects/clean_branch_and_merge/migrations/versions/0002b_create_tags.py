"""create product tags

Revision ID: 0002b
Revises: 0001
Create Date: 2024-05-03 09:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0002b"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "product_tags",
        sa.Column("product_id", sa.Integer(), sa.ForeignKey("products.id"), primary_key=True),
        sa.Column("tag", sa.Text(), primary_key=True),
    )


def downgrade() -> None:
    op.drop_table("product_tags")
