"""reference as integer

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
    op.alter_column(
        "orders",
        "reference",
        type_=sa.Integer(),
        existing_type=sa.Text(),
        postgresql_using="reference::integer",
    )


def downgrade() -> None:
    op.alter_column(
        "orders",
        "reference",
        type_=sa.Text(),
        existing_type=sa.Integer(),
        postgresql_using="reference::text",
    )
