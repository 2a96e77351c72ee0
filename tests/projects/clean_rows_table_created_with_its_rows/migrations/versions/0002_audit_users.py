"""audit users

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
        "user_audit",
        sa.Column("user_id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.Text(), nullable=False),
    )
    op.execute("INSERT INTO user_audit (user_id, name) SELECT id, name FROM users")


def downgrade() -> None:
    op.drop_table("user_audit")
