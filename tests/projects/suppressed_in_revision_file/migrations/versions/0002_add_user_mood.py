"""add users.mood

Revision ID: 0002
Revises: 0001
Create Date: 2024-05-02 09:30:00.000000

Older mobile clients still read the mood type, so the downgrade keeps it; written in a
docstring, "# migcheck: ignore MC999" is not a suppression (only comments are).

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
    mood = postgresql.ENUM("happy", "sad", name="mood")
    mood.create(op.get_bind(), checkfirst=True)
    op.add_column("users", sa.Column("mood", mood, nullable=True))


def downgrade() -> None:
    # migcheck: ignore MC201, MC204 -- the mood type stays for mobile clients before 3.2
    op.drop_column("users", "mood")
