"""unique catalogue codes

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
    op.create_index("ix_catalogues_code", "catalogues", ["code"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_catalogues_code", table_name="catalogues")
