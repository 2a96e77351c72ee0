"""create notes with row level security

Revision ID: 0001
Revises: 
Create Date: 2024-05-01 09:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "notes",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("owner", sa.Text(), server_default=sa.text("current_user"), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
    )
    op.execute("ALTER TABLE notes ENABLE ROW LEVEL SECURITY")


def downgrade() -> None:
    op.drop_table("notes")
