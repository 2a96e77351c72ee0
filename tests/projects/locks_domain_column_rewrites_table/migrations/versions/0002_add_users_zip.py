"""add users.zip

Revision ID: 0002
Revises: 0001
Create Date: 2024-06-01 09:30:00.000000

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


# revision identifiers, used by Alembic.
revision = "0002"
down_revision = '0001'
branch_labels = None
depends_on = None

# The domain exists already (0001): only its name is rendered here.
zip_code = postgresql.DOMAIN("zip_code", sa.Text(), create_type=False)


def upgrade() -> None:
    op.execute("SET lock_timeout = '5s'")
    # A nullable column, no default: yet PostgreSQL checks the domain's CHECK against
    # every row, and does it by rewriting the table.
    op.add_column("users", sa.Column("zip", zip_code, nullable=True))


def downgrade() -> None:
    op.execute("SET lock_timeout = '5s'")
    op.drop_column("users", "zip")
