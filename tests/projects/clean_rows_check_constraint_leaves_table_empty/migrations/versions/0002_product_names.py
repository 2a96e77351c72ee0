"""product names

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
    op.add_column("products", sa.Column("name", sa.Text()))
    op.add_column("catalogues", sa.Column("title", sa.Text()))


def downgrade() -> None:
    op.drop_column("catalogues", "title")
    op.drop_column("products", "name")
