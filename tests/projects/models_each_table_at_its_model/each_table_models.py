"""The models: two tables that differ from the migrations, one that does not, and a
table of the migrations no model declares."""

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(320), nullable=False)  # 255 there
    bio: Mapped[str | None] = mapped_column(sa.String(500))  # no such column there


class Tag(Base):  # as the migrations build it
    __tablename__ = "tags"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(50), nullable=False)


# A table without a class: found at the name that holds it.
audit = sa.Table(
    "audit",
    Base.metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("at", sa.DateTime(), nullable=False),  # nullable there
)
