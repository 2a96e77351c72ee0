"""Alembic environment: unqualified names resolve to the schema app (the migration
creates it), as an application's search_path would have them."""

from alembic import context
from sqlalchemy import text

from models_search_path_models import Base

config = context.config
connection = config.attributes["connection"]
connection.execute(text("SET search_path TO app, public"))
connection.commit()
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    compare_type=True,
    compare_server_default=True,
)
with context.begin_transaction():
    context.run_migrations()
