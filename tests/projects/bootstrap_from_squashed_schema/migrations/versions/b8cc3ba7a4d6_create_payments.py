"""create payments

Revision ID: b8cc3ba7a4d6
Revises: 2d711642b726
Create Date: 2024-02-20 14:05:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = 'b8cc3ba7a4d6'
down_revision: Union[str, Sequence[str], None] = '2d711642b726'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "payments",
        sa.Column("id", sa.BigInteger(), sa.Identity(), nullable=False),
        sa.Column("invoice_id", sa.BigInteger(), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(["invoice_id"], ["invoices.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.execute(
        """
        CREATE VIEW invoice_balances AS
        SELECT t.invoice_id, t.total_cents - coalesce(sum(p.amount_cents), 0) AS open_cents
        FROM invoice_totals t LEFT JOIN payments p USING (invoice_id)
        GROUP BY t.invoice_id, t.total_cents
        """
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.execute("DROP VIEW invoice_balances")
    op.drop_table("payments")
