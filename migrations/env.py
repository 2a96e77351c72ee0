"""Alembic environment for the migcheck demo project.

Online mode uses, in this order:

1. a SQLAlchemy ``Connection`` handed over by a calling tool in
   ``config.attributes["connection"]`` (migcheck does this).  The connection
   belongs to the caller: no engine is created here and nothing is disposed
   or closed;
2. otherwise an engine built from ``-x url=...`` or ``sqlalchemy.url``.

Offline mode (``alembic upgrade head --sql``) renders the SQL for the URL's
dialect without connecting.
"""

from __future__ import annotations

import importlib.util
import sys
from logging.config import fileConfig
from pathlib import Path
from types import ModuleType

from alembic import context
from sqlalchemy import engine_from_config, pool
from sqlalchemy.engine import Connection

config = context.config

_HERE = Path(__file__).resolve().parent


def _load_models() -> ModuleType:
    """Import ``models.py`` from this folder, whatever the current directory.

    The module is registered under a private name so that it cannot collide
    with an unrelated ``models`` module, and it is reused when env.py runs
    several times in one process (each Alembic command re-executes env.py).
    """
    path = _HERE / "models.py"
    name = "_migcheck_demo_models"
    module = sys.modules.get(name)
    if module is not None and Path(module.__file__ or "").resolve() == path:
        return module
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load models from {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(name, None)
        raise
    return module


target_metadata = _load_models().Base.metadata

# Options shared by the online and offline modes; compare_* make autogenerate
# look at column types and server defaults too.
_CONFIGURE_OPTS = {
    "target_metadata": target_metadata,
    "compare_type": True,
    "compare_server_default": True,
}


def _database_url() -> str | None:
    return context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option(
        "sqlalchemy.url"
    )


def run_migrations_offline() -> None:
    """Run migrations in 'offline' mode: emit SQL instead of executing it."""
    context.configure(
        url=_database_url(),
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
        **_CONFIGURE_OPTS,
    )

    with context.begin_transaction():
        context.run_migrations()


def _run_with_connection(connection: Connection) -> None:
    context.configure(connection=connection, **_CONFIGURE_OPTS)

    with context.begin_transaction():
        # A migration that waits for a lock makes every query on the table wait behind
        # it: give up after 5 s instead (and deploy again). For the session, not the
        # transaction: autocommit blocks start new ones. Reset for the connection's owner.
        context.execute("SET lock_timeout = '5s'")
        context.run_migrations()
        context.execute("RESET lock_timeout")


def run_migrations_online() -> None:
    """Run migrations in 'online' mode against a live database."""
    connection = config.attributes.get("connection")
    if connection is not None:
        # Owned by the caller: use it as is, never close or dispose it.
        _run_with_connection(connection)
        return

    section = config.get_section(config.config_ini_section, {})
    url = _database_url()
    if url:
        section["sqlalchemy.url"] = url
    connectable = engine_from_config(section, prefix="sqlalchemy.", poolclass=pool.NullPool)
    try:
        with connectable.connect() as connection:
            _run_with_connection(connection)
    finally:
        connectable.dispose()


# Configure logging from the ini file, unless a calling tool handed over its
# own connection: then the logging setup belongs to that tool as well.
if config.config_file_name is not None and config.attributes.get("connection") is None:
    fileConfig(config.config_file_name, disable_existing_loggers=False)

if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
