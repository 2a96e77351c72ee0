"""What a run is asked to do: one frozen record, and how it is resolved from the option
table's defaults, the project's settings file and what the user gave (in that order, the
last winning), with where each value came from."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from migcheck import options, settings
from migcheck.errors import UsageError
from migcheck.findings import Severity, Suppression
from migcheck.options import (
    BACKENDS,
    DEFAULT_IMAGE,
    DEFAULT_INI,
    DEFAULT_ROWS,
    DRIVERS,
    SUPPORTED_VERSIONS,
    Backend,
    Driver,
    parse_pg_versions,
)

__all__ = [
    "BACKENDS",
    "DEFAULT_IMAGE",
    "DRIVERS",
    "SUPPORTED_VERSIONS",
    "Backend",
    "Config",
    "Driver",
    "Resolved",
    "parse_pg_versions",
    "resolve",
]


def new_run_id() -> str:
    """A fresh identifier for one run; containers started for it carry it as a label."""
    return secrets.token_hex(6)


@dataclass(frozen=True, slots=True)
class Config:
    """Everything ``migcheck.check`` needs; paths are resolved against ``project_dir``."""

    project_dir: Path = Path(".")
    alembic_ini: str = "alembic.ini"
    ini_section: str = "alembic"
    pg_versions: tuple[int, ...] = ()
    backend: Backend = "auto"
    urls: tuple[str, ...] = ()  # servers of backend url: one per version
    pg_bin: str | None = None
    from_revision: str | None = None
    to_revision: str | None = None
    # Walk only the revisions whose files changed: those in changed_files if any are
    # given (absolute paths), else those that differ from the git commit base (None: the
    # merge base with the default branch).
    changed: bool = False
    base: str | None = None
    changed_files: tuple[Path, ...] = ()
    image: str = DEFAULT_IMAGE
    reuse: bool = False
    # Versions walked at a time, each in a process of its own; None: one per CPU core.
    jobs: int | None = None
    # How the project's env.py gets the scratch database (see "Running on your project").
    url_env: tuple[str, ...] = ()  # environment variables set to its URL
    x_args: tuple[str, ...] = ()  # -x arguments; {url} stands for its URL
    # None: the project's own (see migcheck.drivers).
    driver: Driver | None = None
    context: str | None = None  # "package.module:factory", factory(url) -> context manager
    bootstrap: str | None = None  # "package.module:function", function(connection)
    bootstrap_sql: str | None = None  # a SQL file run on every fresh database first
    # Rows generated in every table before each revision (0: none), from this seed; and
    # the project's own: a hook "package.module:function", function(connection, revision),
    # and a folder of <revision>.sql files, each run before that revision's upgrade.
    rows: int = DEFAULT_ROWS
    seed: int = 0
    rows_hook: str | None = None
    rows_sql: str | None = None
    # What each statement of every upgrade and downgrade locks and rewrites (MC501-MC506);
    # and the severity a code's findings get instead of the table's.
    locks: bool = True
    severity: tuple[tuple[str, Severity], ...] = ()
    # The SQLAlchemy models ("package.module:attribute") compared with the schema at
    # head (MC301); None: the target_metadata env.py passes to context.configure;
    # False: no models comparison.
    models: str | Literal[False] | None = None
    # The release running in production (a git ref, or @base: --changed's), whose models'
    # statements must still work on the new schema (MC701); None: not checked.
    deploy_from: str | None = None
    deploy_models: str | None = None  # where that release's models were (else env.py's)
    deploy_role: str | None = None  # the role that release connects as (else the owner)
    # The Python that runs the project's code (env.py, revisions, hooks, models); None:
    # the active virtualenv, a .venv or venv beside the configuration, or migcheck's own.
    python: str | None = None
    # Seconds one step may run before it is cancelled (a finding); 0: no limit.
    step_timeout: float = 600.0
    # Show everything the project prints, step by step, on standard error.
    verbose: bool = False
    # Findings accepted on purpose (the settings' ignore entries; the revision files'
    # own comments are read when the check runs).
    ignore: tuple[Suppression, ...] = ()
    # The [tool.migcheck] table (or migcheck.toml) these came from, if any; hooks are
    # imported from its folder and the project's, bootstrap_sql is relative to it.
    settings_file: Path | None = None
    # Names this run's containers (backend docker); not part of what the run is asked to do.
    run_id: str = field(default_factory=new_run_id, compare=False)
    # How messages name the options a settings file set ("migcheck.toml: pg"), by key:
    # an error about a value names where the user wrote it, not a flag never typed.
    written: tuple[tuple[str, str], ...] = field(default=(), compare=False)

    @property
    def ini_path(self) -> Path:
        return self.project_dir / self.alembic_ini

    def named(self, key: str, flag: str) -> str:
        """How a message names option ``key``: where the settings file set it, else
        ``flag``."""
        return dict(self.written).get(key, flag)


COMMAND_LINE = "command line"
DEFAULT = "default"


@dataclass(frozen=True, slots=True)
class Resolved:
    """A command's configuration: the Config, every option's value by key (those the
    command reads itself too: --format, --output...), and where each came from
    ("command line", a settings table's label, or "default")."""

    command: str
    config: Config
    values: Mapping[str, object]
    sources: Mapping[str, str]
    settings_file: Path | None

    def where(self, key: str) -> str:
        """How a message names ``key``: its flag, or its key in the settings file."""
        row = options.for_command(self.command)[key]
        source = self.sources.get(key, DEFAULT)
        return row.flag if source in (COMMAND_LINE, DEFAULT) else f"{source}: {key}"


def resolve(
    command: str = "check", given: Mapping[str, object] | None = None, *, cwd: Path = Path(".")
) -> Resolved:
    """``command``'s configuration: ``given`` (the user's values by option key, relative
    paths against ``cwd``) over the settings file found from the Alembic configuration's
    folder up, over the table's defaults."""
    given = {k: v for k, v in (given or {}).items() if v is not None}
    rows = options.for_command(command)
    ini_given = given.get("config")
    found = None
    if command in options.SETTINGS_COMMANDS:
        found = settings.load((cwd / str(ini_given or DEFAULT_INI)).parent)
    written = found.for_command(command) if found else {}
    values: dict[str, object] = {}
    sources: dict[str, str] = {}
    for key, row in rows.items():
        if key in given:
            values[key], sources[key] = given[key], COMMAND_LINE
        elif key in written:
            values[key], sources[key] = written[key].value, written[key].table.label
        else:
            values[key], sources[key] = _default(row), DEFAULT
    ini = cwd / str(values.get("config") or DEFAULT_INI)
    fields: dict[str, Any] = {
        str(row.field): values[key]
        for key, row in rows.items()
        if row.field is not None and values[key] is not None
    }
    if values.get("no_models"):
        fields["models"] = False
    docker_only = fields.get("backend") in ("local", "url")
    if fields.get("reuse") and docker_only and sources["reuse"] != COMMAND_LINE:
        fields["reuse"] = False  # the settings' reuse is for docker, not this backend
    resolved = Resolved(
        command,
        Config(
            project_dir=ini.parent,
            alembic_ini=ini.name,
            settings_file=found.path if found else None,
            **fields,
        ),
        values,
        sources,
        found.path if found else None,
    )
    from_file = tuple(
        (key, resolved.where(key))
        for key, source in sources.items()
        if source not in (COMMAND_LINE, DEFAULT)
    )
    resolved = replace(resolved, config=replace(resolved.config, written=from_file))
    _check(resolved)
    return resolved


def _default(row: options.Option) -> object:
    """What the command gets when nobody set ``row``: as Click gives it, a Config field's
    default for the settings-only keys."""
    if row.default is not None:
        return row.default
    if row.kind == "flag":
        return False
    if row.repeatable:
        return ()
    return None


def _check(resolved: Resolved) -> None:
    """What no single value shows: options that need or exclude each other."""
    config, sources = resolved.config, resolved.sources
    if config.backend == "url" and not config.urls and "backend" in sources:
        raise UsageError(
            f"{resolved.where('backend')} url needs --url postgresql://user@host/database"
        )
    if config.urls:
        from migcheck.provision import url  # psycopg: only for a URL

        for given in config.urls:
            url.check(given, where=resolved.where("url"))
    if "image" in sources and not str(config.image).strip():
        raise UsageError(f"--image: give an image name (default: {DEFAULT_IMAGE})")
    if config.reuse and config.backend in ("local", "url"):
        if sources.get("backend") == COMMAND_LINE:
            raise UsageError(
                f"--reuse keeps Docker containers: not with --backend {config.backend}"
            )
        where = f" (set in {resolved.settings_file})" if resolved.settings_file else ""
        raise UsageError(
            f"--reuse keeps Docker containers: not with backend {config.backend}{where}"
        )
