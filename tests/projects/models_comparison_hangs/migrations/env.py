"""Alembic environment comparing models with an include_object hook that never returns."""

import time

from alembic import context
from models_comparison_hangs_models import Base

config = context.config
connection = config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    include_object=lambda obj, name, type_, reflected, compare_to: time.sleep(3600),
)
with context.begin_transaction():
    context.run_migrations()
