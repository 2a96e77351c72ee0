"""The schema as ``metadata.create_all()`` built it, before the project adopted Alembic.

Databases created since 2021 got their tables this way; the first migration (2023)
alters them. A new database (tests, migcheck) is brought to this point first.
"""

import sqlalchemy as sa

metadata = sa.MetaData()

agents = sa.Table(
    "agents",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("email", sa.String(254), nullable=False, unique=True),
)

tickets = sa.Table(
    "tickets",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("subject", sa.String(200), nullable=False),
    sa.Column("status", sa.String(20), nullable=False, server_default="open"),
    sa.Column("assignee_id", sa.ForeignKey("agents.id")),
    sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now()),
)

ticket_comments = sa.Table(
    "ticket_comments",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("ticket_id", sa.ForeignKey("tickets.id", ondelete="CASCADE"), nullable=False),
    sa.Column("body", sa.Text, nullable=False),
)


def create_legacy_schema(connection: sa.Connection) -> None:
    metadata.create_all(connection)
