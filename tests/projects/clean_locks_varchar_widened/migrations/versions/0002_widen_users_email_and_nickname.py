"""widen users.email and users.nickname

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
    # Both are binary coercible: PostgreSQL changes the catalog and keeps the storage.
    op.alter_column("users", "email", type_=sa.String(100), existing_type=sa.String(50))
    op.alter_column("users", "nickname", type_=sa.Text(), existing_type=sa.String())


def downgrade() -> None:
    op.execute("SET lock_timeout = '5s'")
    # Narrowing must check every value: PostgreSQL rewrites the table (MC501).
    op.alter_column("users", "email", type_=sa.String(50), existing_type=sa.String(100))
    # text -> varchar without a length is binary coercible too: no rewrite.
    op.alter_column("users", "nickname", type_=sa.String(), existing_type=sa.Text())
