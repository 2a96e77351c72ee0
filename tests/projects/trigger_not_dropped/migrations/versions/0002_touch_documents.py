"""touch documents.updated_at on update

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
    op.execute("DROP TRIGGER IF EXISTS trg_documents_touch ON documents")
    op.execute(
        """
        CREATE TRIGGER trg_documents_touch
        BEFORE UPDATE ON documents
        FOR EACH ROW EXECUTE FUNCTION touch_updated_at()
        """
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS documents_touch ON documents")
