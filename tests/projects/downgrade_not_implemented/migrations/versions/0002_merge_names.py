"""merge first and last name

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
    op.add_column("people", sa.Column("full_name", sa.Text(), nullable=True))
    op.execute("UPDATE people SET full_name = first_name || ' ' || last_name")
    op.alter_column("people", "full_name", nullable=False, existing_type=sa.Text())
    op.drop_column("people", "first_name")
    op.drop_column("people", "last_name")


def downgrade() -> None:
    raise NotImplementedError("full_name cannot be split back into first and last names")
