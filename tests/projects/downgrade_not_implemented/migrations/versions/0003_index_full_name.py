"""index people by full name

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
    op.create_index("ix_people_full_name", "people", ["full_name"])


def downgrade() -> None:
    op.drop_index("ix_people_full_name", table_name="people")
