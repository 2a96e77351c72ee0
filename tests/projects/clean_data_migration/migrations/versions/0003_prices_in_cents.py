"""prices in cents

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
    op.add_column("plans", sa.Column("monthly_price_cents", sa.Integer(), nullable=True))
    op.execute("UPDATE plans SET monthly_price_cents = (monthly_price * 100)::integer")
    op.alter_column("plans", "monthly_price_cents", nullable=False, existing_type=sa.Integer())
    op.drop_column("plans", "monthly_price")


def downgrade() -> None:
    op.add_column("plans", sa.Column("monthly_price", sa.Numeric(10, 2), nullable=True))
    op.execute("UPDATE plans SET monthly_price = monthly_price_cents / 100.0")
    op.alter_column("plans", "monthly_price", nullable=False, existing_type=sa.Numeric(10, 2))
    op.drop_column("plans", "monthly_price_cents")
