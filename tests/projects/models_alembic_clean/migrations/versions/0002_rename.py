"""rename things to gadgets"""
from alembic import op

revision = "0002"
down_revision = "0001"


def upgrade():
    op.rename_table("things", "gadgets")
    op.execute("ALTER INDEX ix_things_name RENAME TO ix_gadgets_name")
    op.execute("ALTER TABLE gadgets RENAME CONSTRAINT pk_things TO pk_gadgets")


def downgrade():
    op.execute("ALTER TABLE gadgets RENAME CONSTRAINT pk_gadgets TO pk_things")
    op.execute("ALTER INDEX ix_gadgets_name RENAME TO ix_things_name")
    op.rename_table("gadgets", "things")
