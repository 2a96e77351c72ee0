"""add users.mood

Revision ID: 8b41e6d2c9a0
Revises: 3f9c2a71d0be
Create Date: 2024-05-02 09:30:00.000000

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


# revision identifiers, used by Alembic.
revision = "8b41e6d2c9a0"
down_revision = "3f9c2a71d0be"
branch_labels = None
depends_on = None


def upgrade() -> None:
    mood = postgresql.ENUM("happy", "sad", name="mood")
    mood.create(op.get_bind(), checkfirst=True)
    op.add_column("users", sa.Column("mood", mood, nullable=True))


def downgrade() -> None:
    op.drop_column("users", "mood")
