"""notes are private to their owner

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
    op.execute("ALTER TABLE notes ENABLE ROW LEVEL SECURITY")
    op.execute("CREATE POLICY notes_owner ON notes USING (owner = current_user)")


def downgrade() -> None:
    op.execute("DROP POLICY notes_owner ON notes")
