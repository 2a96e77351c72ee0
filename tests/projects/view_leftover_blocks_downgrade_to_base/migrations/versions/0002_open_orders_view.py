"""A view over orders; the downgrade forgets it.

Downgrading the whole history to base then fails in 0001 (the view depends on orders):
a consequence of 0002's leftover, reported under 0002's MC201."""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE VIEW open_orders AS SELECT id FROM orders")


def downgrade() -> None:
    op.execute("SELECT 1")  # meant to drop the view
