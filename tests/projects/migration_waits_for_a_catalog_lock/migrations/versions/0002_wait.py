"""wait until someone holds the comments catalog

Revision ID: 0002
Revises: 0001
Create Date: 2024-06-02 09:00:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# The fault tests (tests/test_faults.py) lock pg_description of the scratch database
# once this step runs, so that the catalog read after it stops midway (the snapshot's
# first query does not read pg_description, its queries of tables and columns do); this
# step ends as soon as they hold the lock. Nobody else takes it: alone, it never ends.
WAIT = """
DO $$
BEGIN
    WHILE NOT EXISTS (
        SELECT FROM pg_catalog.pg_locks
        WHERE locktype = 'relation' AND granted AND mode = 'AccessExclusiveLock'
          AND relation = 'pg_catalog.pg_description'::pg_catalog.regclass
          AND database = (SELECT oid FROM pg_catalog.pg_database
                          WHERE datname = pg_catalog.current_database())
    ) LOOP
        PERFORM pg_catalog.pg_sleep(0.05);
    END LOOP;
END
$$
"""


def upgrade() -> None:
    op.execute(WAIT)


def downgrade() -> None:
    pass
