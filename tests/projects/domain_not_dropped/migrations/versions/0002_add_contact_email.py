"""add contacts.email

Revision ID: 0002
Revises: 0001
Create Date: 2024-05-02 09:30:00.000000

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


# revision identifiers, used by Alembic.
revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    email_address = postgresql.DOMAIN(
        "email_address", sa.Text(), check=r"VALUE ~ '^[^@]+@[^@]+$'"
    )
    email_address.create(op.get_bind(), checkfirst=True)
    op.add_column("contacts", sa.Column("email", email_address, nullable=True))


def downgrade() -> None:
    op.drop_column("contacts", "email")
