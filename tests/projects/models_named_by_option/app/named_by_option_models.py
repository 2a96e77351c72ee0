"""The models: five things the migrations never built."""

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Account(Base):
    __tablename__ = "accounts"
    __table_args__ = (
        sa.UniqueConstraint("email", name="uq_accounts_email"),  # not in the migrations
        sa.Index("ix_accounts_created_at", "created_at"),  # not in the migrations
    )

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(200), nullable=False)  # nullable there
    plan: Mapped[str | None] = mapped_column(sa.String(20), server_default="free")  # no default there
    created_at = mapped_column(sa.DateTime(timezone=True), nullable=False)
    referrer: Mapped[str | None] = mapped_column(sa.Text)  # no such column in the migrations
