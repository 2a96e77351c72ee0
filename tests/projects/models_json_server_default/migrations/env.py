"""Alembic environment comparing models whose JSON column has a server default (Alembic's own default comparison fails on it)."""

from alembic import context
from models_json_server_default_models import Base

config = context.config
connection = config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    compare_type=True,
    compare_server_default=True,
)
with context.begin_transaction():
    context.run_migrations()
