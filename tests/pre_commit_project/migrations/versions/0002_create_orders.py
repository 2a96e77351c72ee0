"""create orders

Revision ID: 0002
Revises: 0001
Create Date: 2024-05-02 09:30:00.000000

"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "orders",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("customer_id", sa.Integer(), sa.ForeignKey("customers.id"), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("orders")
