"""Alembic environment comparing models with an include_object hook that raises."""

from alembic import context
from models_comparison_raises_models import Base

config = context.config
connection = config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    include_object=lambda obj, name, type_, reflected, compare_to: 1 / 0,
)
with context.begin_transaction():
    context.run_migrations()
