"""case-insensitive usernames and emails

Revision ID: 4b8f2e61c0d7
Revises: e5a7c9b1d3f2
Create Date: 2024-09-30 11:24:51.702215

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


# revision identifiers, used by Alembic.
revision = '4b8f2e61c0d7'
down_revision = 'e5a7c9b1d3f2'
branch_labels = None
depends_on = None


def upgrade():
    op.execute('CREATE EXTENSION IF NOT EXISTS citext')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.alter_column('username',
               existing_type=sa.String(length=64),
               type_=postgresql.CITEXT(),
               existing_nullable=False)
        batch_op.drop_constraint('uq_users_email', type_='unique')
    op.create_index('ix_users_email_lower', 'users', [sa.text('lower(email)')], unique=True)


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.alter_column('username',
               existing_type=postgresql.CITEXT(),
               type_=sa.String(length=64),
               existing_nullable=False)
        batch_op.create_unique_constraint('uq_users_email', ['email'])
    op.execute('DROP EXTENSION citext')
