"""merge progress view and update tracking

Revision ID: c5d7f9a1b3e6
Revises: a3c9e1b5d7f0, b8e2d4f6a1c3
Create Date: 2025-03-03 10:00:12.775290

"""

from __future__ import annotations

from collections.abc import Sequence

# revision identifiers, used by Alembic.
revision: str = "c5d7f9a1b3e6"
down_revision: str | Sequence[str] | None = ("a3c9e1b5d7f0", "b8e2d4f6a1c3")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
