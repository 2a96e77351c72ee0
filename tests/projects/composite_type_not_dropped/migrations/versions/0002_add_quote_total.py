"""add quotes.total as a money amount

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
        DO $$
        BEGIN
            CREATE TYPE money_amount AS (amount numeric(12, 2), currency char(3));
        EXCEPTION
            WHEN duplicate_object THEN NULL;
        END
        $$
        """
    )
    op.execute("ALTER TABLE quotes ADD COLUMN total money_amount")


def downgrade() -> None:
    op.drop_column("quotes", "total")
