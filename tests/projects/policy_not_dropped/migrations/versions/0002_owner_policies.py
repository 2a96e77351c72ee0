"""owners read and edit their notes

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
    op.execute("DROP POLICY IF EXISTS notes_owner_read ON notes")
    op.execute(
        "CREATE POLICY notes_owner_read ON notes FOR SELECT USING (owner = current_user)"
    )
    op.execute("DROP POLICY IF EXISTS notes_owner_write ON notes")
    op.execute(
        "CREATE POLICY notes_owner_write ON notes FOR UPDATE USING (owner = current_user)"
    )


def downgrade() -> None:
    op.execute("DROP POLICY notes_owner_read ON notes")
