"""a check constraint only the migrations know, and timestamps"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"


def upgrade():
    op.execute("ALTER TABLE widgets ADD CONSTRAINT ck_widgets_price_positive CHECK (price >= 0)")
    op.add_column("gadgets", sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("CURRENT_TIMESTAMP"), nullable=False))


def downgrade():
    op.drop_column("gadgets", "updated_at")
    op.execute("ALTER TABLE widgets DROP CONSTRAINT ck_widgets_price_positive")
