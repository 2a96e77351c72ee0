"""add counters.value: a bigint from PostgreSQL 15 on, an integer before (the defect)

Revision ID: 0002
Revises: 0001
Create Date: 2024-07-02 09:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.server_version_info >= (15,):
        kind = sa.BigInteger()
    else:
        kind = sa.Integer()
    op.add_column("counters", sa.Column("value", kind, nullable=False, server_default="0"))


def downgrade() -> None:
    op.drop_column("counters", "value")
