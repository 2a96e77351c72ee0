"""create users and active_users view

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
        "teams",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.Text(), nullable=False),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("team_id", sa.Integer(), sa.ForeignKey("teams.id"), nullable=False),
        sa.Column("email", sa.String(length=255), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.execute(
        """
        CREATE VIEW active_users AS
        SELECT u.id, u.email, t.name AS team
        FROM users u JOIN teams t ON t.id = u.team_id
        WHERE u.deleted_at IS NULL
        """
    )


def downgrade() -> None:
    op.execute("DROP VIEW active_users")
    op.drop_table("users")
    op.drop_table("teams")
