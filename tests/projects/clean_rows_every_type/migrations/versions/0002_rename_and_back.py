"""rename and back

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
    op.alter_column("everything", "note", new_column_name="remark")
    op.alter_column("everything", "exact", type_=sa.Numeric(9, 2), existing_type=sa.Numeric(7, 2))


def downgrade() -> None:
    op.alter_column("everything", "exact", type_=sa.Numeric(7, 2), existing_type=sa.Numeric(9, 2))
    op.alter_column("everything", "remark", new_column_name="note")
