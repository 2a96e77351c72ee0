"""app.invoice_totals view

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
    op.add_column("invoices", sa.Column("paid", sa.Boolean(), server_default=sa.false(),
                                        nullable=False), schema="app")
    op.execute(
        """
        CREATE VIEW app.invoice_totals AS
        SELECT account_id, sum(total) AS total FROM app.invoices WHERE paid GROUP BY account_id
        """
    )


def downgrade() -> None:
    op.execute("DROP VIEW app.invoice_totals")
    op.drop_column("invoices", "paid", schema="app")
