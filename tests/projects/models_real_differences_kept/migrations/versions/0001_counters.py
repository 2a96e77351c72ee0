"""counters, numbered from a shared sequence; legacy"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None


def upgrade():
    op.execute("CREATE SEQUENCE shared_seq")
    op.create_table(
        "counters",
        sa.Column(
            "id", sa.Integer(), server_default=sa.text("nextval('shared_seq')"), primary_key=True
        ),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.Column("since", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("internal", sa.Text(), server_default="x"),
        # only in the migrations: not reported
        sa.CheckConstraint("hits < 1000000", name="ck_counters_hits_cap"),
    )
    op.create_table(
        "legacy",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("code", sa.String(10), server_default="old"),
    )


def downgrade():
    op.drop_table("legacy")
    op.drop_table("counters")
    op.execute("DROP SEQUENCE shared_seq")
