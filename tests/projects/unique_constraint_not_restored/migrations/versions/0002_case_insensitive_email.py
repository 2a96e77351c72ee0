"""case-insensitive unique email

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
    op.drop_constraint("uq_accounts_email", "accounts", type_="unique")
    op.create_index(
        "ux_accounts_email_lower", "accounts", [sa.text("lower(email)")], unique=True
    )


def downgrade() -> None:
    op.drop_index("ux_accounts_email_lower", table_name="accounts")
