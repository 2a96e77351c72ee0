"""The models of a project `alembic check` finds clean: tables env.py excludes, a
renamed serial table, defaults spelled otherwise and a CHECK only the migrations have."""

import enum
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=convention)


class Kind(enum.Enum):
    small = "small"
    big = "big"


class Widget(Base):
    __tablename__ = "widgets"
    id: Mapped[int] = mapped_column(sa.Integer, sa.Identity(), primary_key=True)
    active: Mapped[bool] = mapped_column(sa.Boolean, server_default=sa.false())
    enabled: Mapped[bool] = mapped_column(sa.Boolean, server_default=sa.text("true"))
    created_at = mapped_column(sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False)
    kind = mapped_column(sa.Enum(Kind, native_enum=False, length=10), nullable=False)
    data = mapped_column(sa.JSON)
    datab = mapped_column(postgresql.JSONB, server_default=sa.text("'{}'::jsonb"), nullable=False)
    tags = mapped_column(postgresql.ARRAY(sa.String(20)))
    price = mapped_column(sa.Numeric(10, 2), server_default="0", nullable=False)
    uid = mapped_column(postgresql.UUID, server_default=sa.text("gen_random_uuid()"), nullable=False)


class Renamed(Base):
    __tablename__ = "gadgets"
    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(50), index=True)
    updated_at = mapped_column(sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False)


class Other(Base):
    __tablename__ = "other"
    __table_args__ = {"schema": "app"}
    id: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True)
    note: Mapped[str] = mapped_column(sa.Text, server_default="")


class Skipped(Base):
    __tablename__ = "skipped"
    __table_args__ = {"info": {"skip_autogenerate": True}}
    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    value: Mapped[int] = mapped_column(sa.Integer, server_default="1")


class ExternalOnly(Base):
    """Owned by another service's migrations: excluded from autogenerate."""
    __tablename__ = "external_only"
    __table_args__ = {"info": {"skip_autogenerate": True}}
    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    status = mapped_column(sa.Enum("on", "off", name="ext_status"))
