"""require display names, add bio

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
    op.execute("UPDATE profiles SET display_name = '' WHERE display_name IS NULL")
    op.alter_column(
        "profiles", "display_name", nullable=False, existing_type=sa.String(length=100)
    )
    op.add_column("profiles", sa.Column("bio", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("profiles", "bio")
