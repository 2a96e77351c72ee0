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
        SELECT id, email, created_at FROM users WHERE deleted_at IS NULL
        """
    )


def downgrade() -> None:
    op.execute("DROP VIEW active_users")
    op.execute("CREATE VIEW active_users AS SELECT id, email FROM users")
    op.drop_column("users", "created_at")
