"""The models: a default and a type the migration spells otherwise, in the schema env.py's
search_path puts unqualified tables in."""

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Item(Base):
    __tablename__ = "items"  # no schema: env.py's search_path puts it in app
    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    qty: Mapped[int] = mapped_column(sa.Integer, server_default="5", nullable=False)  # 1 there
    name: Mapped[str] = mapped_column(sa.Text, nullable=False)  # VARCHAR(20) there
    # spelled otherwise, the same value: no finding
    created_at = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
    )
