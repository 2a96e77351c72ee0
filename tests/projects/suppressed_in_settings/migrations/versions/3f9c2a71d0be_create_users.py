"""create users

Revision ID: 3f9c2a71d0be
Revises: 
Create Date: 2024-05-01 09:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "3f9c2a71d0be"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("email", sa.String(length=255), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("users")
