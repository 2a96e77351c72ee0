"""number invoices

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
    op.add_column("invoices", sa.Column("number", sa.Integer()))
    # Numbers from a sequence that a downgrade cannot wind back: a second run renumbers.
    op.execute("UPDATE invoices SET number = nextval('invoice_number')")


def downgrade() -> None:
    op.drop_column("invoices", "number")
