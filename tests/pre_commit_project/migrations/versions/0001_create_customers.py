"""create customers

Revision ID: 0001
Revises:
Create Date: 2024-05-01 09:30:00.000000

"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "customers",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("email", sa.Text(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("customers")
