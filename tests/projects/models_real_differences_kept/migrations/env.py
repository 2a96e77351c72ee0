"""Alembic environment: the table legacy and the column counters.internal are kept out
of autogenerate."""

from alembic import context

from models_real_differences_kept_models import Base


def include_object(obj, name, type_, reflected, compare_to):
    return not ((type_, name) in {("table", "legacy"), ("column", "internal")})


connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    compare_type=True,
    compare_server_default=True,
    include_object=include_object,
)
with context.begin_transaction():
    context.run_migrations()
