"""Alembic environment: include_object keeps tables out of autogenerate."""

from alembic import context
from models_alembic_clean_models import Base

config = context.config
target_metadata = Base.metadata


def include_object(obj, name, type_, reflected, compare_to):
    if type_ == "table" and obj.info.get("skip_autogenerate"):
        return False
    if type_ == "table" and name == "legacy":
        return False
    return True


connection = config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=target_metadata,
    compare_type=True,
    compare_server_default=True,
    include_object=include_object,
    include_schemas=True,
)
with context.begin_transaction():
    context.run_migrations()
