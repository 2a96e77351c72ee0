"""users.email required

Revision ID: 0002
Revises: 0001
Create Date: 2024-06-01 09:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0002"
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("SET lock_timeout = '5s'")
    op.execute("UPDATE users SET email = 'unknown' WHERE email IS NULL")
    op.alter_column("users", "email", nullable=False, existing_type=sa.Text())


def downgrade() -> None:
    op.execute("SET lock_timeout = '5s'")
    op.alter_column("users", "email", nullable=True, existing_type=sa.Text())
