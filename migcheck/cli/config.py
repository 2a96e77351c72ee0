"""``migcheck config``: the configuration a command runs with, and where each value came
from (the command line, the settings file and table, or the option's default)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
from click.core import ParameterSource

from migcheck import settings
from migcheck.cli.options import ini_from, key_of, settings_of
from migcheck.config import Config
from migcheck.errors import UsageError
from migcheck.findings import Suppression


def _source(ctx: click.Context, param: click.Parameter, found: settings.Settings | None) -> str:
    source = ctx.get_parameter_source(param.name or "")
    if source is ParameterSource.DEFAULT_MAP and found is not None:
        return found.for_command(ctx.info_name or "")[key_of(param) or ""].table.label
    table = ini_from(ctx)
    if param.name == "ini" and table is not None:
        return table.label
    if source in (ParameterSource.COMMANDLINE, ParameterSource.ENVIRONMENT):
        return "command line"
    return "default"


def _plain(key: str, value: Any) -> Any:
    """A value as JSON: lists for tuples, text for paths, tables for suppressions."""
    if isinstance(value, tuple):
        return [_plain(key, item) for item in value]
    if isinstance(value, Suppression):
        entry = {"code": value.code, "revision": value.revision, "pg": value.pg_version}
        return {k: v for k, v in entry.items() if v is not None} | {"reason": value.reason}
    if isinstance(value, Path):
        return str(value)
    if key == "url" and isinstance(value, str):
        from migcheck.provision import safe_url  # psycopg and SQLAlchemy: only for a URL

        return safe_url(value)
    return value


def effective(ctx: click.Context) -> list[tuple[str, Any, str]]:
    """(key, value, where it came from) for each option of the parsed command ``ctx``, and
    the keys only a settings file sets."""
    found = settings_of(ctx)
    rows = [
        (key, _plain(key, ctx.params.get(param.name or "")), _source(ctx, param, found))
        for param in ctx.command.params
        if (key := key_of(param)) is not None and key in settings.KEYS
    ]
    values = found.for_command(ctx.info_name or "") if found else {}
    defaults = Config()
    for key in settings.FILE_ONLY:
        if key in values:
            rows.append((key, _plain(key, values[key].value), values[key].table.label))
        else:
            rows.append(
                (key, _plain(key, getattr(defaults, str(settings.KEYS[key].field))), "default")
            )
    return rows


# Everything after COMMAND is COMMAND's: `config --format json check --format sarif`.
@click.command(name="config", context_settings={"allow_interspersed_args": False})
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Output format.",
)
@click.argument("command", default="check")
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
@click.pass_context
def config_command(ctx: click.Context, fmt: str, command: str, args: tuple[str, ...]) -> int:
    """The configuration COMMAND (default check) runs with, given ARGS (its options), and
    where each value comes from: the command line, the settings file, or the default."""
    group = ctx.parent.command if ctx.parent else None
    target = group.get_command(ctx, command) if isinstance(group, click.Group) else None
    if target is None or command not in settings.COMMANDS:
        raise UsageError(
            f"migcheck config {command}: name a command that reads the settings: "
            f"{', '.join(settings.COMMANDS)}"
        )
    # Its options only: the configuration does not depend on its arguments (diff's sides).
    options = click.Command(
        command,
        params=[p for p in target.params if isinstance(p, click.Option)],
        context_settings={"allow_extra_args": True},
    )
    with options.make_context(command, list(args), parent=ctx) as sub:
        rows = effective(sub)
        found = settings_of(sub)
    path = str(found.path) if found else None
    if fmt == "json":
        document = {
            "command": command,
            "settings_file": path,
            "values": {key: {"value": value, "source": source} for key, value, source in rows},
        }
        click.echo(json.dumps(document, indent=2, ensure_ascii=False))
        return 0
    click.echo(f"migcheck {command}: settings from {path or 'no settings file'}")
    shown = [
        (key, "(not set)" if value is None else json.dumps(value), source)
        for key, value, source in rows
    ]
    width = max(len(key) for key, _, _ in shown)
    value_width = min(40, max(len(value) for _, value, _ in shown))
    for key, value, source in shown:
        click.echo(f"{key:<{width}}  {value:<{value_width}}  {source}")
    return 0
