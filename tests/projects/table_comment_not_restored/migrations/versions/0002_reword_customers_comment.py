"""reword customers comment

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
    op.create_table_comment(
        "customers",
        "People and companies that placed at least one order",
        existing_comment="Customers of the shop",
    )


def downgrade() -> None:
    op.drop_table_comment(
        "customers", existing_comment="People and companies that placed at least one order"
    )
