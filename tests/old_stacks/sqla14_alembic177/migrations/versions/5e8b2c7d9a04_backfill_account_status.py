"""backfill account status

Revision ID: 5e8b2c7d9a04
Revises: d41f3a6c0b52
Create Date: 2022-04-12 11:47:53.020871

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5e8b2c7d9a04'
down_revision = 'd41f3a6c0b52'
branch_labels = None
depends_on = None


def upgrade():
    # Reflect the table as the database has it (SQLAlchemy 1.x: bound metadata).
    meta = sa.MetaData(bind=op.get_bind())
    accounts = sa.Table('accounts', meta, autoload=True)
    # Implicit execution through the bound metadata (SQLAlchemy 1.x).
    accounts.update().where(accounts.c.status == None).values(status='active').execute()
    left = sa.select([sa.func.count()]).select_from(accounts).where(accounts.c.status == None)
    assert meta.bind.execute(left).scalar() == 0
    op.alter_column('accounts', 'status', existing_type=sa.String(length=20),
                    nullable=False, server_default='active')


def downgrade():
    op.alter_column('accounts', 'status', existing_type=sa.String(length=20),
                    nullable=True, server_default=None)
