"""emails in their own table

Revision ID: 0002
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa

revision = "0002"
down_revision = '0001'
branch_labels = None
depends_on = None

def upgrade() -> None:
    op.create_table(
        "user_emails",
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id"), primary_key=True),
        sa.Column("email", sa.Text(), nullable=False),
    )
    op.execute(
        "INSERT INTO user_emails (user_id, email) "
        "SELECT id, email FROM users WHERE email IS NOT NULL"
    )
    op.drop_column("users", "email")


def downgrade() -> None:
    op.add_column("users", sa.Column("email", sa.Text()))
    op.execute(
        "UPDATE users SET email = e.email FROM user_emails AS e WHERE e.user_id = users.id"
    )
    op.drop_table("user_emails")
