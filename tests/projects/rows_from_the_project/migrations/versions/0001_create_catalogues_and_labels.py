"""create catalogues and labels

Revision ID: 0001
Revises: 
"""
from alembic import op
import sqlalchemy as sa

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

def upgrade() -> None:
    # Codes and labels no generated value fits: the project gives the rows.
    op.create_table(
        "catalogues",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("code", sa.Text(), nullable=False),
        sa.CheckConstraint("code ~ '^[A-Z]{3}-[0-9]{4}$'", name="catalogues_code_check"),
    )
    op.create_table(
        "labels",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.CheckConstraint("name ~ '^[a-z]+:[a-z]+$'", name="labels_name_check"),
    )


def downgrade() -> None:
    op.drop_table("labels")
    op.drop_table("catalogues")
