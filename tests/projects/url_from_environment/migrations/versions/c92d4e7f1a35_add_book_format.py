"""add book format

Revision ID: c92d4e7f1a35
Revises: 7b3e81c0a4f2
Create Date: 2024-03-04 09:12:47.302981

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = 'c92d4e7f1a35'
down_revision: Union[str, Sequence[str], None] = '7b3e81c0a4f2'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    book_format = sa.Enum("hardcover", "paperback", "ebook", name="book_format")
    book_format.create(op.get_bind())
    op.add_column("books", sa.Column("format", book_format, nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_column("books", "format")
