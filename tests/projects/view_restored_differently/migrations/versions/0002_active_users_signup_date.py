"""expose signup date in active_users

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
    op.add_column(
        "users",
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
    )
    op.execute(
        """
        CREATE OR REPLACE VIEW active_users AS
        SELECT u.id, u.email, t.name AS team, u.created_at
        FROM users u JOIN teams t ON t.id = u.team_id
        WHERE u.deleted_at IS NULL
        """
    )


def downgrade() -> None:
    op.execute("DROP VIEW active_users")
    op.execute(
        """
        CREATE VIEW active_users AS
        SELECT u.id, u.email, t.name AS team
        FROM users u JOIN teams t ON t.id = u.team_id
        """
    )
    op.drop_column("users", "created_at")
