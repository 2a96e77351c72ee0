"""add article slugs

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
    op.execute(
        """
        CREATE OR REPLACE FUNCTION slugify(value text) RETURNS text
        LANGUAGE plpgsql IMMUTABLE AS $$
        BEGIN
            RETURN trim(both '-' from regexp_replace(lower(value), '[^a-z0-9]+', '-', 'g'));
        END;
        $$
        """
    )
    op.add_column("articles", sa.Column("slug", sa.Text(), nullable=True))
    op.execute("UPDATE articles SET slug = slugify(title)")


def downgrade() -> None:
    op.drop_column("articles", "slug")
