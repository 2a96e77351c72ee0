"""create archive.audit_log

Revision ID: 0003
Revises: 0002
Create Date: 2024-05-03 09:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("SET LOCAL search_path TO archive, public")
    op.create_table(
        "audit_log",
        sa.Column("id", sa.BigInteger(), primary_key=True),
        sa.Column("message", sa.Text(), nullable=False),
    )


def downgrade() -> None:
    op.execute("SET LOCAL search_path TO archive, public")
    op.drop_table("audit_log")
