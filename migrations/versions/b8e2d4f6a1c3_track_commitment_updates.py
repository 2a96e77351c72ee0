"""track commitment updates with a trigger

Revision ID: b8e2d4f6a1c3
Revises: 6f0a2c8e4d57
Create Date: 2025-02-25 13:57:36.208837

"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "b8e2d4f6a1c3"
down_revision: str | Sequence[str] | None = "6f0a2c8e4d57"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "commitments",
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
    )
    op.execute(
        """
        CREATE FUNCTION set_updated_at() RETURNS trigger
        LANGUAGE plpgsql
        AS $$
        BEGIN
            NEW.updated_at := now();
            RETURN NEW;
        END;
        $$
        """
    )
    op.execute(
        """
        CREATE TRIGGER trg_commitments_set_updated_at
        BEFORE UPDATE ON commitments
        FOR EACH ROW EXECUTE FUNCTION set_updated_at()
        """
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER trg_commitments_set_updated_at ON commitments")
    op.execute("DROP FUNCTION set_updated_at()")
    op.drop_column("commitments", "updated_at")
