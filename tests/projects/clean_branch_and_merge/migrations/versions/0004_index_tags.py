"""index tags

Revision ID: 0004
Revises: 0003
Create Date: 2024-05-05 09:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_product_tags_tag", "product_tags", ["tag"])


def downgrade() -> None:
    op.drop_index("ix_product_tags_tag", table_name="product_tags")
