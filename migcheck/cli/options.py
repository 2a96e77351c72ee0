"""The options the commands share, and where each value comes from: the command line, the
project's settings file (settings.py), or the option's default.

Every option is a settings key of its long name (``--exclude-table``: ``exclude_table``).
``-c`` is read first: it says where the settings file is, whose values become the
command's defaults (Click's ``default_map``), so that what the command line gives wins
and ``ctx.get_parameter_source`` tells where each value came from.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click
from click.core import ParameterSource

from migcheck import settings
from migcheck.config import BACKENDS, DEFAULT_IMAGE, DRIVERS, Config, parse_pg_versions
from migcheck.errors import UsageError

F = TypeVar("F", bound=Callable[..., Any])

DEFAULT_INI = "alembic.ini"
# ctx.meta keys (meta is shared by a context and the ones nested in it).
_SETTINGS = "migcheck.settings"
_INI_FROM = "migcheck.ini_from"


def key_of(param: click.Parameter) -> str | None:
    """The settings key of an option: its long name without dashes; None for arguments."""
    if not isinstance(param, click.Option):
        return None
    long = [name for name in param.opts if name.startswith("--")]
    return long[0][2:].replace("-", "_") if long else None


def _pg(ctx: click.Context, param: click.Parameter, value: object) -> tuple[int, ...]:
    """``--pg 13-18``; a value from the settings file arrives parsed already."""
    if isinstance(value, tuple):
        return value
    return () if value is None else parse_pg_versions(str(value))


def _fit(value: settings.Value, key: str, option: click.Option, ctx: click.Context) -> Any:
    """A settings value as the option's default, checked by the option's own type (each
    command's: check has more formats than diff)."""
    raw = value.value
    if option.multiple and isinstance(raw, str):
        raw = (raw,)
    try:
        if not option.multiple and isinstance(raw, tuple) and key != "pg":
            if len(raw) != 1:
                raise click.BadParameter(f"expected one value, found {len(raw)}")
            raw = raw[0]
        option.type_cast_value(ctx, raw)
    except click.BadParameter as error:
        command = ctx.info_name or ""
        hint = ""
        if not value.table.command:  # the top table, shared by every command
            name = f"{value.table.name}.{command}" if value.table.name else command
            hint = f" (for migcheck {command}; a value for one command goes in its table [{name}])"
        raise UsageError(f"{value.table.label}: {key}: {error.message}{hint}") from None
    return raw


def _read_settings(ctx: click.Context, param: click.Parameter, value: str | None) -> str:
    """Callback of the eager ``-c``: the settings file's values become the defaults."""
    command = ctx.info_name or ""
    found = settings.load(Path(value or DEFAULT_INI).parent)
    ctx.meta[_SETTINGS] = found
    if found is None:
        return value or DEFAULT_INI
    values = found.for_command(command)
    options = {key_of(p): p for p in ctx.command.params if isinstance(p, click.Option)}
    for key in found.commands.get(command, {}):
        if key not in options and key not in settings.FILE_ONLY:
            raise UsageError(
                f"{values[key].table.label}: {key!r} is not an option of migcheck {command}"
            )
    defaults = {
        option.name: _fit(values[key], key, option, ctx)
        for key, option in options.items()
        if key in values and key != "config" and option.name
    }
    ctx.default_map = {**(ctx.default_map or {}), **defaults}
    if value is None and "config" in values:
        ctx.meta[_INI_FROM] = values["config"].table
        return str(values["config"].value)
    return value or DEFAULT_INI


def stack(*options: Callable[[F], F]) -> Callable[[F], F]:
    """One decorator for several options, in the order given."""

    def decorate(command: F) -> F:
        for option in reversed(options):
            command = option(command)
        return command

    return decorate


project_options = stack(
    click.option(
        "-c",
        "--config",
        "ini",
        is_eager=True,
        callback=_read_settings,
        metavar="FILE",
        help=f"The project's Alembic configuration file (default: {DEFAULT_INI}); the "
        "migcheck settings are looked for from its folder up.",
    ),
    click.option(
        "-n", "--name", default="alembic", show_default=True, help="Section of the ini file."
    ),
    click.option(
        "--url-env",
        multiple=True,
        metavar="NAME",
        help="Environment variable env.py reads its database URL from (repeatable).",
    ),
    click.option(
        "-x",
        "--x",
        "x_args",
        multiple=True,
        metavar="KEY=VALUE",
        help="An -x argument for env.py (repeatable); {url} is the scratch database's URL.",
    ),
    click.option(
        "--driver",
        type=click.Choice(DRIVERS),
        help="SQLAlchemy driver of the URLs handed to env.py (default: the one the project's "
        "URL names, else psycopg2 if the project has it, else psycopg).",
    ),
    click.option(
        "--python",
        metavar="PATH",
        help="The Python that runs the project's env.py and revisions (default: the active "
        "virtualenv, else a .venv or venv beside the configuration, else migcheck's own).",
    ),
    click.option(
        "--step-timeout",
        type=click.FloatRange(min=0),
        default=600.0,
        show_default=True,
        metavar="SECONDS",
        help="Cancel a migration step running longer than this (a finding); 0: no limit.",
    ),
    click.option(
        "-v",
        "--verbose/--no-verbose",
        help="Show everything the project prints (its logging too), step by step, on "
        "standard error.",
    ),
)
"""The Alembic project, and how its env.py finds the database: -c, -n, --url-env, -x,
--driver, --python, --step-timeout, -v."""

server_options = stack(
    click.option(
        "--pg",
        type=click.UNPROCESSED,
        callback=_pg,
        metavar="VERSIONS",
        help="PostgreSQL major versions: 16, 14,16,17, 13-18 or 'supported' (snapshot and "
        "diff build on the first).",
    ),
    click.option(
        "--backend",
        type=click.Choice(BACKENDS),
        default="auto",
        show_default=True,
        help="Where servers come from.",
    ),
    click.option(
        "--url",
        metavar="URL",
        help="An existing server (backend url): migcheck works in a scratch database on it.",
    ),
    click.option(
        "--pg-bin", metavar="DIR", help="Folder of PostgreSQL server binaries (backend local)."
    ),
    click.option(
        "--image",
        default=DEFAULT_IMAGE,
        show_default=True,
        metavar="TEMPLATE",
        help="Image of each version's container (backend docker); {version} is the major version.",
    ),
    click.option(
        "--reuse/--no-reuse",
        help="Keep each version's container running for the next run (backend docker).",
    ),
)
"""Where the servers come from: --pg, --backend, --url, --pg-bin, --image, --reuse."""


def settings_of(ctx: click.Context) -> settings.Settings | None:
    """The settings file the command's ``-c`` found (None: there is none)."""
    found: settings.Settings | None = ctx.meta.get(_SETTINGS)
    return found


def ini_from(ctx: click.Context) -> settings.Table | None:
    """The table whose ``config`` key named the Alembic configuration, if one did."""
    table: settings.Table | None = ctx.meta.get(_INI_FROM)
    return table


def _given(ctx: click.Context, name: str) -> bool:
    return ctx.get_parameter_source(name) is ParameterSource.COMMANDLINE


def _where(ctx: click.Context, name: str, option: str) -> str:
    """How a message names a value: its option, or its key in the settings file."""
    found = settings_of(ctx)
    if _given(ctx, name) or found is None:
        return option
    values = found.for_command(ctx.info_name or "")
    return f"{values[name].table.label}: {name}" if name in values else option


def make_config(ctx: click.Context) -> Config:
    """The Config the command's options describe, with what the settings file sets that
    no option of the command does (context, bootstrap, ignore, ...)."""
    fields: dict[str, Any] = {}
    for param in ctx.command.params:
        key = settings.KEYS.get(key_of(param) or "")
        value = ctx.params.get(param.name or "")
        if key is not None and key.field is not None and value is not None:
            fields[key.field] = value
    if fields.get("backend") == "url" and not fields.get("url"):
        raise UsageError("--backend url needs --url postgresql://user@host/database")
    if fields.get("url") is not None:
        from migcheck.provision import url  # SQLAlchemy and psycopg: only for a URL

        url.check(fields["url"], where=_where(ctx, "url", "--url"))
    backend = fields.get("backend")
    if not str(fields.get("image", DEFAULT_IMAGE)).strip():
        raise UsageError(f"--image: give an image name (default: {DEFAULT_IMAGE})")
    if fields.get("reuse") and backend in ("local", "url"):
        if ctx.get_parameter_source("reuse") is not ParameterSource.COMMANDLINE:
            fields["reuse"] = False  # the settings' reuse is for docker, not this backend
        elif _given(ctx, "backend"):
            raise UsageError(f"--reuse keeps Docker containers: not with --backend {backend}")
        else:
            found = settings_of(ctx)
            where = f" (set in {found.path})" if found else ""
            raise UsageError(f"--reuse keeps Docker containers: not with backend {backend}{where}")
    ini = Path(ctx.params["ini"])
    config = Config(project_dir=ini.parent, alembic_ini=ini.name, **fields)
    found = settings_of(ctx)
    if found is None:
        return config
    return found.configure(config, keep=fields, command=ctx.info_name or "")
