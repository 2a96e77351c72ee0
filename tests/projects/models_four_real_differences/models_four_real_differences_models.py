"""The models: four differences `alembic check` does not see."""

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Entry(Base):
    __tablename__ = "entries"
    __table_args__ = (
        # > where the migration has >=
        sa.CheckConstraint("qty > 0 and qty < 1000", name="ck_entries_qty"),
        # another predicate under the same name
        sa.Index("ix_entries_open", "status", postgresql_where=sa.text("status = 'closed'")),
    )

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    # one label more, at the end
    mood: Mapped[str] = mapped_column(
        sa.Enum("sad", "ok", "happy", "ecstatic", name="mood"), server_default="ok"
    )
    qty: Mapped[int] = mapped_column(sa.Integer, server_default=sa.text("1"))  # 0 there
    price = mapped_column(sa.DECIMAL(10, 2))
    status: Mapped[str] = mapped_column(sa.String(20), server_default="open")
    created_at = mapped_column(
        sa.TIMESTAMP(timezone=True), server_default=sa.text("current_timestamp")
    )
    ratio = mapped_column(sa.Float())
