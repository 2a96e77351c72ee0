import sqlalchemy as sa
from sqlalchemy.ext.declarative import declarative_base

Base = declarative_base()


class Author(Base):
    __tablename__ = "authors"

    id = sa.Column(sa.Integer, primary_key=True)
    name = sa.Column(sa.String(100), nullable=False)
    created_at = sa.Column(sa.DateTime, server_default=sa.text("now()"), nullable=False)


class Book(Base):
    __tablename__ = "books"

    id = sa.Column(sa.Integer, primary_key=True)
    author_id = sa.Column(sa.Integer, sa.ForeignKey("authors.id"), nullable=False, index=True)
    title = sa.Column(sa.String(200), nullable=False)
    genre = sa.Column(sa.Enum("fiction", "poetry", name="genre"))
    slug = sa.Column(sa.String(200), nullable=False)
    # Added to the models, never to a migration.
    isbn = sa.Column(sa.String(13))

    __table_args__ = (sa.UniqueConstraint("slug", name="uq_books_slug"),)
