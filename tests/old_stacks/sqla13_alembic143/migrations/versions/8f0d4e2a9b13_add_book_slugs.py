"""add book slugs

Revision ID: 8f0d4e2a9b13
Revises: 3c6b7a0e5d21
Create Date: 2020-11-24 09:05:37.906114

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8f0d4e2a9b13'
down_revision = '3c6b7a0e5d21'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('books', sa.Column('slug', sa.String(length=200), nullable=True))
    books = sa.table('books', sa.column('id', sa.Integer), sa.column('title', sa.String), sa.column('slug', sa.String))
    op.execute(
        books.update()
        .where(books.c.slug == None)
        .values(slug=sa.func.lower(sa.func.replace(books.c.title, ' ', '-')))
    )
    op.alter_column('books', 'slug', nullable=False)
    op.create_unique_constraint('uq_books_slug', 'books', ['slug'])


def downgrade():
    op.drop_constraint('uq_books_slug', 'books', type_='unique')
    op.drop_column('books', 'slug')
