"""One scratch database as the runner sees it: the project's Alembic configuration, the
connection env.py is handed, and one Alembic run at a time with exactly the steps asked
for (env.py included, as ``alembic upgrade`` runs it)."""

import functools
import importlib
import inspect
import os
import sys
from argparse import Namespace
from typing import Any, Callable, Dict, List, Optional, Sequence, Set

from . import failures, guard
from .connections import commit, reset, rollback
from .observe import Watch


class ProjectError(Exception):
    """The project cannot be run as configured: one line for the user."""


def alembic_config(project: Dict[str, Any]) -> Any:
    """The project's Alembic configuration, with the script_location migcheck resolved."""
    from alembic.config import Config

    ini, toml, section = project["ini"], project.get("toml"), project["section"]
    if toml is not None and "toml_file" not in inspect.signature(Config.__init__).parameters:
        if ini is None:
            import alembic

            raise ProjectError(
                f"{toml}: [tool.alembic] needs Alembic 1.16 or newer; {sys.executable} has "
                f"Alembic {alembic.__version__}"
            )
        toml = None  # as the `alembic` command of that release: it reads no pyproject.toml
    if toml is None:  # works with every Alembic release
        config = Config(ini, ini_section=section)
    else:
        config = Config(ini, toml_file=toml, ini_section=section)
    location = project.get("script_location")
    if location is not None:
        # Set even when the file has it: a Flask-Migrate ini has none (its folder is meant).
        config.set_main_option("script_location", location.replace("%", "%%"))
    return config


def enter_project(project: Dict[str, Any]) -> None:
    """The process-wide state env.py expects: the project's folder as the working
    directory (Alembic resolves script_location and prepend_sys_path against it) and the
    project's folders importable."""
    os.chdir(project["directory"])
    sys.path[:0] = [root for root in project["roots"] if root not in sys.path]


def hook(spec: str, key: str, roots: Sequence[str]) -> Callable[..., Any]:
    """``package.module:attribute`` of a settings key, imported."""
    module_name, _, attribute = spec.partition(":")
    setting = f"{key} = {spec!r}"
    try:
        target = importlib.import_module(module_name)  # type: Any
    except (Exception, SystemExit) as error:
        where = failures.location(error, roots, module_name)
        raise ProjectError(
            f"{setting}: cannot import {module_name}: {where}: {failures.last_line(error)}"
        ) from None
    for name in attribute.split("."):
        target = getattr(target, name, None)
        if target is None:
            raise ProjectError(f"{setting}: {module_name} has no {attribute}")
    if not callable(target):
        raise ProjectError(f"{setting}: {attribute} is not callable")
    return target  # type: ignore[no-any-return]  # checked callable above


def _folders(locations: Optional[Sequence[str]]) -> Set[str]:
    return {os.path.realpath(location) for location in locations or ()}


class Session:
    """The Alembic side of one scratch database."""

    def __init__(self, spec: Dict[str, Any]):
        from alembic.script import ScriptDirectory
        from sqlalchemy import create_engine
        from sqlalchemy.pool import NullPool

        project = spec["project"]
        self.roots = list(project["roots"])  # type: List[str]
        enter_project(project)
        self.url = spec["url"]  # the URL env.py is handed, with the project's driver
        self.driver = spec["driver"]
        self.context = spec.get("context")
        guard.allow(spec["database"], scratch=True)
        os.environ.update(guard.environment(self.url, spec["libpq"]))
        for name in spec.get("url_env", ()):
            os.environ[name] = self.url
        self.forms = spec["forms"]
        self.config = alembic_config(project)
        self.script = ScriptDirectory.from_config(self.config)
        self.by_path = {os.path.realpath(path): rev for path, rev in spec["revisions"].items()}
        self.engine = self.connection = None  # type: Any
        self.carried = None  # type: Any  # the catalog a watched run left (observe.py)
        sync_url = spec.get("sync_url")
        if sync_url:
            # No automatic prepared statements with psycopg: DISCARD ALL between runs
            # drops them on the server's side, and psycopg notices only the first time.
            options = (
                {"prepare_threshold": None} if sync_url.startswith("postgresql+psycopg:") else {}
            )
            try:
                self.engine = create_engine(sync_url, poolclass=NullPool, connect_args=options)
                self.connection = self.engine.connect()
            except Exception as error:  # no such driver here, or it refuses the URL
                driver = sync_url.split(":", 1)[0]
                raise ProjectError(
                    f"cannot connect with {driver} in {sys.executable}: "
                    f"{failures.last_line(error)} (install the driver there, or name one it "
                    "has with --driver)"
                ) from None
        self.hands_connection = bool(spec.get("hands_connection")) and self.connection is not None
        if self.hands_connection:
            self.config.attributes["connection"] = self.connection
        x_args = spec.get("x_args") or ()
        if x_args:
            self.config.cmd_opts = Namespace(x=[arg.replace("{url}", self.url) for arg in x_args])
        # configparser interpolation: a literal % in a URL must be doubled.
        self.config.set_main_option("sqlalchemy.url", self.url.replace("%", "%%"))
        self.locations = _folders(self.script.version_locations or [self.script.versions])
        self.env_py = failures.display(self.script.env_py_location, self.roots)
        if spec.get("bootstrap"):
            self._bootstrap(spec.get("bootstrap_hook"))
        reset(self.connection)

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
        if self.engine is not None:
            self.engine.dispose()

    def _bootstrap(self, spec: Optional[str]) -> None:
        if spec is None:
            return
        if self.connection is None:
            raise ProjectError(
                f"bootstrap = {spec!r}: it needs a synchronous connection, and the project's "
                "Python has neither psycopg2 nor psycopg"
            )
        function = hook(spec, "bootstrap", self.roots)
        try:
            with self._scope():
                function(self.connection)
                commit(self.connection)
        except ProjectError:
            raise
        except (Exception, SystemExit) as error:
            rollback(self.connection)
            where = failures.location(error, self.roots, spec)
            raise ProjectError(
                f"bootstrap = {spec!r} failed: {where}: {failures.last_line(error)}"
            ) from None

    def rows(self, spec: str, revision: str) -> Dict[str, Any]:
        """The project's rows hook (``rows_hook``), function(connection, revision), before
        ``revision``'s upgrade; committed."""
        if self.connection is None:
            raise ProjectError(
                f"rows_hook = {spec!r}: it needs a synchronous connection, and the project's "
                "Python has neither psycopg2 nor psycopg"
            )
        self.carried = None  # the project's code may change anything
        function = hook(spec, "rows_hook", self.roots)
        try:
            with self._scope():
                function(self.connection, revision)
                commit(self.connection)
        except ProjectError:
            raise
        except (Exception, SystemExit) as error:
            rollback(self.connection)
            where = failures.location(error, self.roots, spec)
            raise ProjectError(
                f"rows_hook = {spec!r} failed before {revision}: {where}: "
                f"{failures.last_line(error)}"
            ) from None
        reset(self.connection)
        return {"ok": True}

    def _scope(self) -> Any:
        """The project's context manager (``context`` setting) around one command."""
        from contextlib import ExitStack

        stack = ExitStack()
        if self.context is not None:
            factory = hook(self.context, "context", self.roots)
            setting = f"context = {self.context!r}"
            try:
                stack.enter_context(factory(self.url))
            except (Exception, SystemExit) as error:
                stack.close()
                where = failures.location(error, self.roots, self.context)
                raise ProjectError(f"{setting}: {where}: {failures.last_line(error)}") from None
        return stack

    def run(
        self,
        steps: Sequence[Sequence[Any]],
        announce: Callable[[str, bool], None],
        observe: bool = False,
    ) -> Dict[str, Any]:
        """Apply exactly these (revision, is_upgrade) steps in one Alembic run; with
        ``observe``, what each statement did is in the reply's ``observed``."""
        from alembic.runtime.migration import RevisionStep

        revision_map = self.script.revision_map
        carried, self.carried = self.carried, None
        watch = Watch(self.by_path, carried) if observe else None

        class Announced(RevisionStep):
            """A step that says which revision starts, before its migration runs: if the
            process dies in it, migcheck knows which revision did it."""

            # Alembic 1.4-1.x compute it in a property, newer ones set it in __init__.
            _function = None  # type: Any

            @property
            def migration_fn(self) -> Any:
                function = self._function or super().migration_fn
                revision, upgrade = self.revision.revision, self.is_upgrade

                # Alembic logs "Running <function name> ...": the migration's own name.
                @functools.wraps(function)
                def announced(**kwargs: Any) -> Any:
                    announce(revision, upgrade)
                    if watch is None:
                        return function(**kwargs)
                    from alembic import op

                    watch.begin(revision, upgrade, op.get_bind())
                    try:
                        return function(**kwargs)
                    finally:
                        watch.end()

                return announced

            @migration_fn.setter
            def migration_fn(self, value: Any) -> None:
                self._function = value

        def plan(context: Any) -> List[Any]:
            return [
                Announced(revision_map, self.script.get_revision(rev), bool(up))
                for rev, up in steps
            ]

        if watch is None:
            return self._run_env(plan, steps[-1][0] if steps else None)
        with watch:
            reply = self._run_env(plan, steps[-1][0] if steps else None)
        if watch.error is not None:  # migcheck's own failure, not the migration's
            return {
                "ok": False,
                "internal": f"observing the migration's statements failed: {watch.error} "
                "(--no-locks turns the observation off)",
            }
        reply["observed"] = watch.records
        if reply.get("ok"):
            self.carried = watch.last  # what the next run, if watched, starts from
        return reply

    def inspect(self, use: Callable[[Any], None]) -> Dict[str, Any]:
        """Run env.py without migrating, calling ``use`` with the migration context it
        configured (its connection, target_metadata and autogenerate options)."""

        def plan(context: Any) -> List[Any]:
            use(context)
            return []

        return self._run_env(plan, None)

    def _run_env(
        self, plan: Callable[[Any], List[Any]], destination: Optional[str]
    ) -> Dict[str, Any]:
        from alembic.runtime.environment import EnvironmentContext

        planned = []  # type: List[bool]

        def planner(heads: Any, context: Any) -> List[Any]:
            planned.append(True)
            return plan(context)

        environment = EnvironmentContext(
            self.config, self.script, fn=planner, destination_rev=destination
        )
        try:
            with self._scope(), environment:
                self.script.run_env()
                if not planned:
                    raise ProjectError(
                        f"{self.env_py}: env.py ran no migration (it did not call "
                        "context.run_migrations() in online mode)"
                    )
                context = environment.get_context()
                commit(self.connection)
                self._check_locations()
            return {
                "ok": True,
                "version_table": context.version_table,
                "version_table_schema": context.version_table_schema,
            }
        except ProjectError:
            self._recover()
            raise
        except BaseException as error:  # a migration may raise anything, SystemExit too
            self._recover()
            if not planned:
                raise ProjectError(self._env_failure(error)) from None
            return {"ok": False, "error": failures.describe(error, self.by_path)}
        finally:
            reset(self.connection)

    def _check_locations(self) -> None:
        added = _folders(self.script.version_locations) - self.locations
        if added:
            folders = sorted(failures.display(f, self.roots) for f in added)
            raise ProjectError(
                "{}: env.py added version_locations while running ({}); migcheck reads the "
                "history before running env.py and would miss their revisions: list the "
                "folders in version_locations of the Alembic configuration instead "
                "(alembic.ini, or [tool.alembic] in pyproject.toml)".format(
                    self.env_py, ", ".join(folders)
                )
            )

    def _env_failure(self, error: BaseException) -> str:
        where = failures.location(error, self.roots, self.script.env_py_location)
        message = f"{where}: env.py failed before running any migration: "
        return message + failures.last_line(error) + failures.hint(error, self.driver, self.forms)

    def _recover(self) -> None:
        connection = self.connection
        if connection is None:
            return
        if connection.invalidated or connection.closed:
            self.connection = self.engine.connect()
            if self.hands_connection:
                self.config.attributes["connection"] = self.connection
        else:
            rollback(connection)
