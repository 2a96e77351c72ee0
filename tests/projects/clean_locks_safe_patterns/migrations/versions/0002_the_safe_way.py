"""the safe way

Revision ID: 0002
Revises: 0001
Create Date: 2024-06-01 09:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0002"
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("SET lock_timeout = '5s'")
    op.add_column("users", sa.Column("score", sa.Integer(), nullable=False, server_default="0"))
    with op.get_context().autocommit_block():
        op.create_foreign_key(
            "fk_orders_user", "orders", "users", ["user_id"], ["id"], postgresql_not_valid=True
        )
        op.execute("ALTER TABLE orders VALIDATE CONSTRAINT fk_orders_user")
        op.execute("ALTER TABLE users ADD CONSTRAINT ck_users_email CHECK (email IS NOT NULL) NOT VALID")
        op.execute("UPDATE users SET email = 'unknown' WHERE email IS NULL")
        op.execute("ALTER TABLE users VALIDATE CONSTRAINT ck_users_email")
        op.alter_column("users", "email", nullable=False, existing_type=sa.Text())
        op.execute("ALTER TABLE users DROP CONSTRAINT ck_users_email")
        op.create_index("ix_orders_user_id", "orders", ["user_id"], postgresql_concurrently=True)


def downgrade() -> None:
    op.execute("SET lock_timeout = '5s'")
    with op.get_context().autocommit_block():
        op.drop_index("ix_orders_user_id", table_name="orders", postgresql_concurrently=True)
    op.alter_column("users", "email", nullable=True, existing_type=sa.Text())
    op.drop_constraint("fk_orders_user", "orders", type_="foreignkey")
    op.drop_column("users", "score")
