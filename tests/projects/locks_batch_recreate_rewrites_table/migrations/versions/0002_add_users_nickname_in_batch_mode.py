"""add users.nickname in batch mode

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
    with op.batch_alter_table("users", recreate="always") as batch:
        batch.add_column(sa.Column("nickname", sa.Text(), nullable=True))


def downgrade() -> None:
    op.execute("SET lock_timeout = '5s'")
    op.drop_column("users", "nickname")
