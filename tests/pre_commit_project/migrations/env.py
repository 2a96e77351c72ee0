"""Alembic's generic env.py, with the application's tables as target_metadata."""

from alembic import context
from myapp import metadata
from sqlalchemy import engine_from_config, pool

config = context.config


def run_migrations_online() -> None:
    engine = engine_from_config(
        config.get_section(config.config_ini_section, {}),
        prefix="sqlalchemy.",
        poolclass=pool.NullPool,
    )
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=metadata)
        with context.begin_transaction():
            context.run_migrations()


run_migrations_online()
