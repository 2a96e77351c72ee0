"""one email per tenant, accounts without a tenant included (PostgreSQL 15 and later)

Revision ID: 0002
Revises: 0001
Create Date: 2024-07-02 09:30:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        "ALTER TABLE accounts ADD CONSTRAINT uq_accounts_tenant_email "
        "UNIQUE NULLS NOT DISTINCT (tenant_id, email)"
    )


def downgrade() -> None:
    op.drop_constraint("uq_accounts_tenant_email", "accounts", type_="unique")
