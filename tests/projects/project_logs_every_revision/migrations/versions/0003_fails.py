"""rename a missing column

Revision ID: 0003
Revises: 0002
Create Date: 2024-06-03 09:00:00.000000

"""
import logging

log = logging.getLogger("shop.migrations")

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    log.info("upgrading 0003: rename a missing column")
    print("stdout line of 0003")
    op.alter_column("orders", "qty", new_column_name="amount")


def downgrade() -> None:
    log.info("downgrading 0003")
    op.alter_column("orders", "amount", new_column_name="qty")
