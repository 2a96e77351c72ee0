"""seed the default value models

Revision ID: d1e3f5a7b9c2
Revises: c5d7f9a1b3e6
Create Date: 2025-03-10 15:26:40.391027

"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "d1e3f5a7b9c2"
down_revision: str | Sequence[str] | None = "c5d7f9a1b3e6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# A frozen, minimal view of the table as of this revision; the migration must
# not import the application's models, which keep changing.
value_models = sa.table(
    "value_models",
    sa.column("slug", sa.String),
    sa.column("name", sa.String),
    sa.column("description", sa.Text),
    sa.column("unit", sa.String),
)

DEFAULT_MODELS = [
    {
        "slug": "cost-savings",
        "name": "Cost savings",
        "description": "Recurring costs the customer no longer pays.",
        "unit": "EUR",
    },
    {
        "slug": "hours-saved",
        "name": "Hours saved",
        "description": "Staff time freed by the delivered work.",
        "unit": "hours",
    },
    {
        "slug": "revenue-uplift",
        "name": "Revenue uplift",
        "description": "Additional revenue attributed to the delivery.",
        "unit": "EUR",
    },
]


def upgrade() -> None:
    op.bulk_insert(value_models, DEFAULT_MODELS)


def downgrade() -> None:
    op.execute(
        value_models.delete().where(
            value_models.c.slug.in_([row["slug"] for row in DEFAULT_MODELS])
        )
    )
