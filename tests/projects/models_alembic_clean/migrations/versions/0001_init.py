"""init"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None


def upgrade():
    op.execute("CREATE SCHEMA app")
    op.create_table(
        "widgets",
        sa.Column("id", sa.Integer(), sa.Identity(always=False), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("enabled", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("kind", sa.Enum("small", "big", name="kind", native_enum=False, length=10), nullable=False),
        sa.Column("data", sa.JSON(), nullable=True),
        sa.Column("datab", postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False),
        sa.Column("tags", postgresql.ARRAY(sa.String(length=20)), nullable=True),
        sa.Column("price", sa.Numeric(10, 2), server_default="0", nullable=False),
        sa.Column("uid", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_widgets")),
    )
    op.create_table(
        "things",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(50), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_things"),
    )
    op.create_index("ix_things_name", "things", ["name"])
    op.create_table(
        "other",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("note", sa.Text(), server_default="", nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_other"),
        schema="app",
    )
    op.create_table(
        "skipped",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("value", sa.Integer(), server_default="2", nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_skipped"),
    )


def downgrade():
    op.drop_table("skipped")
    op.drop_table("other", schema="app")
    op.drop_index("ix_things_name", "things")
    op.drop_table("things")
    op.drop_table("widgets")
    op.execute("DROP SCHEMA app")
