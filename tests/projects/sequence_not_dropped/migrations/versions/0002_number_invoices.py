"""number invoices

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
    op.execute("CREATE SEQUENCE IF NOT EXISTS invoice_number_seq START 1000")
    op.add_column(
        "invoices",
        sa.Column(
            "number",
            sa.BigInteger(),
            server_default=sa.text("nextval('invoice_number_seq')"),
            nullable=False,
        ),
    )


def downgrade() -> None:
    op.drop_column("invoices", "number")
