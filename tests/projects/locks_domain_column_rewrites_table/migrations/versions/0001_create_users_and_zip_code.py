"""create users and the zip_code domain

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
    op.execute("CREATE DOMAIN zip_code AS text CHECK (VALUE ~ '^[0-9]{5}$')")
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("email", sa.Text(), nullable=True),
        sa.Column("age", sa.Integer(), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("users")
    op.execute("DROP DOMAIN zip_code")
