"""Alembic environment shared by the migcheck test projects."""

from alembic import context
from sqlalchemy import create_engine, engine_from_config, pool

config = context.config


def hold_a_lock():
    """A second connection of env.py's own that locks the orders table while the
    migrations run, and never lets go before they end: 0002 waits for it forever."""
    if context.get_revision_argument() != "0002":
        return None
    engine = create_engine(config.get_main_option("sqlalchemy.url"), poolclass=pool.NullPool)
    holder = engine.connect()
    holder.exec_driver_sql("BEGIN")
    holder.exec_driver_sql("LOCK TABLE orders IN ACCESS EXCLUSIVE MODE")
    return holder


def run_migrations(connection):
    context.configure(connection=connection, target_metadata=None)
    holder = hold_a_lock()
    try:
        with context.begin_transaction():
            context.run_migrations()
    finally:
        if holder is not None:
            holder.close()


connection = config.attributes.get("connection")
if connection is not None:
    run_migrations(connection)
else:
    engine = engine_from_config(
        config.get_section(config.config_ini_section, {}),
        prefix="sqlalchemy.",
        poolclass=pool.NullPool,
    )
    with engine.connect() as connection:
        run_migrations(connection)
