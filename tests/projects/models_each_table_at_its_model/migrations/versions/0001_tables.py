"""users, tags, audit, legacy

Revision ID: 0001
Revises:
Create Date: 2024-06-01 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("email", sa.String(length=255), nullable=False),
    )
    op.create_table(
        "tags",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(length=50), nullable=False),
    )
    op.create_table(
        "audit",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("at", sa.DateTime(), nullable=True),
    )
    op.create_table("legacy", sa.Column("id", sa.Integer(), primary_key=True))


def downgrade() -> None:
    op.drop_table("legacy")
    op.drop_table("audit")
    op.drop_table("tags")
    op.drop_table("users")
