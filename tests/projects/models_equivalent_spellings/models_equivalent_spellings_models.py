"""The models: the same schema as the migration's SQL, spelled the SQLAlchemy way."""

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Entry(Base):
    __tablename__ = "entries"
    __table_args__ = (
        sa.CheckConstraint("qty >= 0 and qty < 1000", name="ck_entries_qty"),
        sa.Index("ix_entries_open", "status", postgresql_where=sa.text("status = 'open'")),
    )

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    mood: Mapped[str] = mapped_column(
        sa.Enum("sad", "ok", "happy", name="mood"), server_default="ok"
    )
    qty: Mapped[int] = mapped_column(sa.Integer, server_default=sa.text("0"))
    price = mapped_column(sa.DECIMAL(10, 2))
    status: Mapped[str] = mapped_column(sa.String(20), server_default="open")
    created_at = mapped_column(
        sa.TIMESTAMP(timezone=True), server_default=sa.text("current_timestamp")
    )
    ratio = mapped_column(sa.Float())
    number = mapped_column(
        sa.BigInteger, server_default=sa.text("nextval('entry_number_seq'::regclass)")
    )
    tags = mapped_column(
        postgresql.ARRAY(sa.Text), nullable=False, server_default=sa.text("'{}'::text[]")
    )
    attrs = mapped_column(postgresql.JSONB, nullable=False, server_default="{}")


entry_number_seq = sa.Sequence("entry_number_seq", metadata=Base.metadata)
