"""add customer email

Revision ID: 2d711642b726
Revises: 
Create Date: 2024-01-08 09:30:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '2d711642b726'
down_revision: Union[str, Sequence[str], None] = None
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.add_column("customers", sa.Column("email", sa.Text(), nullable=True))
    op.create_index("ix_customers_email", "customers", [sa.text("lower(email)")], unique=True)


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index("ix_customers_email", table_name="customers")
    op.drop_column("customers", "email")
