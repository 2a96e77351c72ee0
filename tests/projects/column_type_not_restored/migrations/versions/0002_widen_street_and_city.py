"""widen street and city

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
    op.alter_column(
        "addresses", "street", type_=sa.String(length=100), existing_type=sa.String(length=50)
    )
    op.alter_column(
        "addresses", "city", type_=sa.String(length=100), existing_type=sa.String(length=50)
    )


def downgrade() -> None:
    op.alter_column(
        "addresses", "city", type_=sa.String(length=50), existing_type=sa.String(length=100)
    )
