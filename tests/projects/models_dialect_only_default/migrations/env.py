"""Alembic environment comparing models whose server default is a construct only the PostgreSQL dialect compiles."""

from alembic import context
from models_dialect_only_default_models import Base

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
