"""What a project's env.py is handed, and what it needs around it.

env.py finds its database in many ways: ``config.attributes["connection"]``, the
``sqlalchemy.url`` option, environment variables, ``-x`` arguments, or an application
object that must be set up first. migcheck hands the scratch database over in all the
forms the project's settings name, with the SQLAlchemy driver the project uses, and
bootstraps each fresh database when the history does not start from an empty one.
"""

from __future__ import annotations

import importlib
import os
import sys
import traceback
from argparse import Namespace
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import migcheck
from migcheck.config import Config, Driver
from migcheck.errors import ProjectError

if TYPE_CHECKING:  # imported where used: the static checks (a pre-commit hook) need neither
    import psycopg
    from sqlalchemy.engine import URL, Connection

MIGCHECK_PACKAGE = Path(migcheck.__file__).resolve().parent
# Drivers without a synchronous connection to hand over: env.py builds its own engine.
ASYNC_DRIVERS = frozenset({"asyncpg"})
# psql meta-commands pg_dump (17.6, 16.10, ...) writes around a plain dump: not SQL.
_DUMP_MARKERS = ("\\restrict", "\\unrestrict")


@dataclass(frozen=True, slots=True)
class Handover:
    """How the project's env.py expects its database (from Config; picklable)."""

    url_env: tuple[str, ...] = ()
    x_args: tuple[str, ...] = ()
    driver: Driver = "psycopg"
    context: str | None = None
    bootstrap: str | None = None
    bootstrap_sql: Path | None = None
    # Folders the project's own modules are imported from (hooks, the application).
    roots: tuple[Path, ...] = ()

    @classmethod
    def from_config(cls, config: Config, directory: Path) -> Handover:
        """``directory``: the folder of the project's Alembic configuration."""
        roots = [directory.resolve()]
        if config.settings_file is not None:
            roots.insert(0, config.settings_file.resolve().parent)
        sql = config.bootstrap_sql
        return cls(
            url_env=config.url_env,
            x_args=config.x_args,
            driver=config.driver,
            context=config.context,
            bootstrap=config.bootstrap,
            bootstrap_sql=(config.project_dir / sql).resolve() if sql else None,
            roots=tuple(dict.fromkeys(roots)),
        )

    @property
    def sync_driver(self) -> Driver:
        """The driver of the connection migcheck itself opens (and hands over if it can)."""
        return "psycopg" if self.driver in ASYNC_DRIVERS else self.driver

    @property
    def hands_connection(self) -> bool:
        return self.driver not in ASYNC_DRIVERS


def driver_url(url: str, driver: Driver) -> URL:
    """The libpq URL of a scratch database as a SQLAlchemy URL for ``driver``.

    A Unix socket is a ``host=/dir`` query parameter for libpq, psycopg2 and asyncpg,
    but pg8000 wants the socket file itself (``unix_sock=/dir/.s.PGSQL.5432``).
    """
    from sqlalchemy.engine import make_url

    parsed = make_url(url).set(drivername=f"postgresql+{driver}")
    query = dict(parsed.query)
    host = query.get("host")
    if driver == "pg8000" and isinstance(host, str) and host.startswith("/"):
        del query["host"]
        query["unix_sock"] = f"{host}/.s.PGSQL.{parsed.port or 5432}"
        parsed = parsed.set(port=None)
    if driver == "asyncpg" and "sslmode" in query:
        query["ssl"] = query.pop("sslmode")
    return parsed.set(query=query)


def render(url: URL) -> str:
    return url.render_as_string(hide_password=False)


def cmd_opts(handover: Handover, url: str) -> Namespace | None:
    """What ``context.get_x_argument()`` reads: the -x arguments, ``{url}`` filled in."""
    if not handover.x_args:
        return None
    return Namespace(x=[arg.replace("{url}", url) for arg in handover.x_args])


def display(path: str, roots: Sequence[Path]) -> str:
    """``path`` relative to the project's folder that holds it (as given, if none does)."""
    resolved = Path(path).resolve()
    for root in roots:
        if resolved.is_relative_to(root):
            return str(resolved.relative_to(root))
    return path


def own_module(path: str, roots: Sequence[Path]) -> bool:
    """Whether a file belongs to the project (not to an installed package or migcheck)."""
    if not os.path.isfile(path):  # "<string>", "<frozen ...>", generated code
        return False
    resolved = Path(path).resolve()
    if {"site-packages", "dist-packages"} & set(resolved.parts):
        return False
    if resolved.is_relative_to(MIGCHECK_PACKAGE):
        return False
    return any(resolved.is_relative_to(root) for root in roots)


def location(error: BaseException, roots: Sequence[Path], fallback: str) -> str:
    """``file:line`` of the innermost frame of ``error`` in the project's own files."""
    for frame in reversed(traceback.extract_tb(error.__traceback__)):
        if own_module(frame.filename, roots):
            return f"{display(frame.filename, roots)}:{frame.lineno}"
    if isinstance(error, SyntaxError) and error.filename:
        return f"{display(error.filename, roots)}:{error.lineno}"
    return display(fallback, roots)


def last_line(error: BaseException) -> str:
    return traceback.format_exception_only(type(error), error)[-1].strip()


def _hook(spec: str, key: str, roots: Sequence[Path]) -> Callable[..., Any]:
    module_name, _, attribute = spec.partition(":")
    setting = f"{key} = {spec!r}"
    try:
        target: Any = importlib.import_module(module_name)
    except (Exception, SystemExit) as error:
        where = location(error, roots, module_name)
        raise ProjectError(
            f"{setting}: cannot import {module_name}: {where}: {last_line(error)}"
        ) from None
    for name in attribute.split("."):
        target = getattr(target, name, None)
        if target is None:
            raise ProjectError(f"{setting}: {module_name} has no {attribute}")
    if not callable(target):
        raise ProjectError(f"{setting}: {attribute} is not callable")
    return target  # type: ignore[no-any-return]  # checked callable above


@contextmanager
def scope(handover: Handover, url: str) -> Iterator[None]:
    """The environment of one Alembic command: environment variables set to ``url``,
    the project's context manager entered; both undone on the way out."""
    saved = {name: os.environ.get(name) for name in handover.url_env}
    try:
        for name in handover.url_env:
            os.environ[name] = url
        with ExitStack() as stack:
            if handover.context is not None:
                factory = _hook(handover.context, "context", handover.roots)
                setting = f"context = {handover.context!r}"
                try:
                    manager: AbstractContextManager[object] = factory(url)
                    stack.enter_context(manager)
                except (Exception, SystemExit) as error:
                    where = location(error, handover.roots, handover.context)
                    raise ProjectError(f"{setting}: {where}: {last_line(error)}") from None
            yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _sql_line(text: str, error: psycopg.Error) -> str:
    position = error.diag.statement_position
    return f":{text[: int(position)].count(chr(10)) + 1}" if position else ""


def run_bootstrap(handover: Handover, connection: Connection, url: str, sql_url: str) -> None:
    """Bring a fresh database to where the history starts: ``bootstrap_sql`` (run on a
    connection of its own: dumps change session settings), then ``bootstrap``."""
    if handover.bootstrap_sql is not None:
        import psycopg

        path = handover.bootstrap_sql
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as error:
            raise ProjectError(f"bootstrap_sql {path}: {error.strerror}") from None
        text = "\n".join(
            "" if line.startswith(_DUMP_MARKERS) else line for line in text.splitlines()
        )
        try:
            with psycopg.connect(sql_url, autocommit=True) as session:
                session.execute(text.encode())
        except psycopg.Error as error:
            state = f"[{error.sqlstate}] " if error.sqlstate else ""
            first = (str(error).strip().splitlines() or [repr(error)])[0]
            where = display(str(path), handover.roots) + _sql_line(text, error)
            raise ProjectError(f"{where}: bootstrap_sql failed: {state}{first}") from None
    if handover.bootstrap is not None:
        function = _hook(handover.bootstrap, "bootstrap", handover.roots)
        try:
            with scope(handover, url):
                function(connection)
                if connection.in_transaction():
                    connection.commit()
        except ProjectError:
            raise
        except (Exception, SystemExit) as error:
            if connection.in_transaction():
                connection.rollback()
            where = location(error, handover.roots, handover.bootstrap)
            raise ProjectError(
                f"bootstrap = {handover.bootstrap!r} failed: {where}: {last_line(error)}"
            ) from None


@contextmanager
def importing(roots: Sequence[Path]) -> Iterator[None]:
    """The project's folders on sys.path; on the way out, the project's modules imported
    meanwhile are forgotten.

    ``alembic`` runs in a new process each time. An application that reads its database
    URL when imported (a settings module, an engine made at import) keeps the first URL
    it saw; migcheck works on several databases in turn, so each of them imports the
    project afresh.
    """
    added = [str(root) for root in roots if str(root) not in sys.path]
    sys.path[:0] = added
    before = set(sys.modules)
    try:
        yield
    finally:
        for name in set(sys.modules) - before:
            path = getattr(sys.modules.get(name), "__file__", None)
            if path and own_module(path, roots):
                del sys.modules[name]
        for entry in added:
            if entry in sys.path:
                sys.path.remove(entry)
