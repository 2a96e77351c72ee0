"""create users and change it at once

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
    op.create_table("teams", sa.Column("id", sa.Integer(), primary_key=True))
    op.add_column("users", sa.Column("team_id", sa.Integer(), nullable=True))
    op.alter_column("users", "age", type_=sa.BigInteger(), existing_type=sa.Integer())
    op.create_index("ix_users_email", "users", ["email"])
    op.create_foreign_key("fk_users_team", "users", "teams", ["team_id"], ["id"])
    op.execute("UPDATE users SET email = 'unknown' WHERE email IS NULL")
    op.alter_column("users", "email", nullable=False, existing_type=sa.Text())


def downgrade() -> None:
    op.drop_table("users")
    op.drop_table("teams")
