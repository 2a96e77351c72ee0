"""email is also used for invoices

Revision ID: 0002
Revises: 0001
Create Date: 2024-05-02 09:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.alter_column(
        "customers",
        "email",
        comment="Login and invoice email",
        existing_comment="Login email",
        existing_type=sa.String(length=255),
        existing_nullable=False,
    )


def downgrade() -> None:
    op.alter_column(
        "customers",
        "email",
        comment=None,
        existing_comment="Login and invoice email",
        existing_type=sa.String(length=255),
        existing_nullable=False,
    )
