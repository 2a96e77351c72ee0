"""SQLAlchemy models of the demo value-tracking service, as of head.

These declarative models describe the schema that the migrations in
``versions/`` build, so that ``alembic revision --autogenerate`` (with
``compare_type`` and ``compare_server_default``) finds nothing to do at head.

A few objects live only in the migrations because SQLAlchemy models cannot
describe them: the ``citext`` extension, the ``commitment_progress`` view and
the ``set_updated_at()`` trigger function with its trigger on
``commitments``.  Check constraints and partial-index predicates are declared
here for completeness, although autogenerate does not compare them.
"""

from __future__ import annotations

import datetime
import decimal
import enum

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    Sequence,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import CITEXT
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# Deterministic constraint names; the migrations spell out the same names.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class CommitmentStatus(enum.Enum):
    draft = "draft"
    active = "active"
    fulfilled = "fulfilled"
    cancelled = "cancelled"


commitment_status = Enum(
    CommitmentStatus,
    name="commitment_status",
    values_callable=lambda members: [m.value for m in members],
)

#: Human-facing delivery numbers; not owned by any column, so it survives
#: table rewrites and keeps counting from where it was.
delivery_number_seq = Sequence("delivery_number_seq", start=1000, metadata=Base.metadata)


class Customer(Base):
    __tablename__ = "customers"
    __table_args__ = (
        UniqueConstraint("email"),
        Index(
            "ix_customers_external_ref_active",
            "external_ref",
            unique=True,
            postgresql_where=text("is_active"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(CITEXT)
    full_name: Mapped[str] = mapped_column(String(200))
    is_active: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    created_at: Mapped[datetime.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    external_ref: Mapped[str | None] = mapped_column(
        String(40), comment="Identifier of the customer in the CRM"
    )

    commitments: Mapped[list[Commitment]] = relationship(
        back_populates="customer", passive_deletes=True
    )


class ValueModel(Base):
    __tablename__ = "value_models"
    __table_args__ = (
        UniqueConstraint("slug"),
        Index("ix_value_models_lower_name", func.lower(text("name"))),
        {"comment": "Catalogue of the ways value delivered to customers is measured"},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str | None] = mapped_column(Text)
    unit: Mapped[str] = mapped_column(
        String(16),
        server_default="EUR",
        comment="Unit that commitments and deliveries are measured in",
    )
    is_archived: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    created_at: Mapped[datetime.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )

    commitments: Mapped[list[Commitment]] = relationship(
        back_populates="value_model",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )


class Commitment(Base):
    __tablename__ = "commitments"
    __table_args__ = (
        CheckConstraint("target_value > 0", name="target_value_positive"),
        Index(
            "ix_commitments_due_on_active",
            "due_on",
            postgresql_where=text("status = 'active'"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    value_model_id: Mapped[int] = mapped_column(
        ForeignKey("value_models.id", ondelete="CASCADE"), index=True
    )
    customer_id: Mapped[int | None] = mapped_column(
        ForeignKey("customers.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[CommitmentStatus] = mapped_column(
        commitment_status, server_default=CommitmentStatus.draft.value
    )
    target_value: Mapped[decimal.Decimal] = mapped_column(Numeric(12, 2))
    due_on: Mapped[datetime.date | None] = mapped_column(Date)
    created_at: Mapped[datetime.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    #: Maintained by the trg_commitments_set_updated_at trigger.
    updated_at: Mapped[datetime.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )

    value_model: Mapped[ValueModel] = relationship(back_populates="commitments")
    customer: Mapped[Customer | None] = relationship(back_populates="commitments")
    deliveries: Mapped[list[Delivery]] = relationship(
        back_populates="commitment",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )
    outcomes: Mapped[list[Outcome]] = relationship(
        back_populates="commitment",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )


class Delivery(Base):
    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("delivery_number"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    delivery_number: Mapped[int] = mapped_column(
        BigInteger, server_default=text("nextval('delivery_number_seq')")
    )
    commitment_id: Mapped[int] = mapped_column(
        ForeignKey("commitments.id", ondelete="CASCADE"), index=True
    )
    delivered_on: Mapped[datetime.date] = mapped_column(Date, server_default=text("CURRENT_DATE"))
    quantity: Mapped[decimal.Decimal] = mapped_column(Numeric(12, 2))
    note: Mapped[str | None] = mapped_column(Text)

    commitment: Mapped[Commitment] = relationship(back_populates="deliveries")
    outcomes: Mapped[list[Outcome]] = relationship(back_populates="delivery", passive_deletes=True)


class Outcome(Base):
    __tablename__ = "outcomes"
    __table_args__ = (
        UniqueConstraint("commitment_id", "metric", "recorded_at"),
        CheckConstraint("confidence >= 0 AND confidence <= 100", name="confidence_range"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    commitment_id: Mapped[int] = mapped_column(ForeignKey("commitments.id", ondelete="CASCADE"))
    delivery_id: Mapped[int | None] = mapped_column(
        ForeignKey("deliveries.id", ondelete="SET NULL"), index=True
    )
    metric: Mapped[str] = mapped_column(String(64))
    measured_value: Mapped[decimal.Decimal] = mapped_column(Numeric(14, 4))
    confidence: Mapped[int] = mapped_column(
        SmallInteger,
        server_default=text("50"),
        comment="Confidence in the measurement, in percent",
    )
    is_verified: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    recorded_at: Mapped[datetime.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )

    commitment: Mapped[Commitment] = relationship(back_populates="outcomes")
    delivery: Mapped[Delivery | None] = relationship(back_populates="outcomes")
