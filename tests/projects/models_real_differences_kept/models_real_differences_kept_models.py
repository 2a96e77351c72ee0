"""The models: differences that stay findings beside what env.py excludes."""

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Counter(Base):
    __tablename__ = "counters"
    __table_args__ = (
        # only in the models: reported
        sa.CheckConstraint("hits >= 0", name="ck_counters_hits"),
    )
    # a serial: its own sequence; the migration takes numbers from a shared one
    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    hits: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    # a fixed instant where the migration has now(): evaluates otherwise
    since = mapped_column(
        sa.DateTime(timezone=True),
        server_default=sa.text("'2000-01-01 00:00:00+00'::timestamptz"),
        nullable=False,
    )
    # include_name keeps it out of autogenerate: its enum type and its default are not
    # compared either
    internal = mapped_column(sa.Enum("a", "b", name="internal_kind"), server_default="a")


class Legacy(Base):
    """Excluded by env.py's include_object: differs, unreported."""

    __tablename__ = "legacy"
    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    code: Mapped[str] = mapped_column(sa.Text, server_default="new")
