"""create users

Revision ID: 0001
Revises: 
Create Date: 2024-06-01 09:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("email", sa.Text(), nullable=True),
        sa.Column("age", sa.Integer(), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("users")
