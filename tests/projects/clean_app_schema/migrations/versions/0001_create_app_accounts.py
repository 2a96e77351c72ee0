"""create app schema and accounts

Revision ID: 0001
Revises: 
Create Date: 2024-05-01 09:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE SCHEMA app")
    op.create_table(
        "accounts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.Enum("person", "company", name="account_kind", schema="app"),
                  nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        schema="app",
    )


def downgrade() -> None:
    op.drop_table("accounts", schema="app")
    sa.Enum(name="account_kind", schema="app").drop(op.get_bind())
    op.execute("DROP SCHEMA app")
