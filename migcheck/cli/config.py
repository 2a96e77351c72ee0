"""``migcheck config``: the configuration a command runs with, and where each value came
from (the command line, the settings file and table, or the option's default)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from migcheck import urls
from migcheck.cli import options
from migcheck.config import Resolved
from migcheck.errors import UsageError
from migcheck.findings import Suppression
from migcheck.options import SETTINGS_COMMANDS
from migcheck.settings import KEYS as SETTINGS_KEYS


def _plain(key: str, value: Any) -> Any:
    """A value as JSON: lists for tuples, text for paths, tables for suppressions and
    severities."""
    if key == "severity" and isinstance(value, tuple):
        return dict(value)
    if isinstance(value, tuple):
        return [_plain(key, item) for item in value]
    if isinstance(value, Suppression):
        entry = {"code": value.code, "revision": value.revision, "pg": value.pg_version}
        return {k: v for k, v in entry.items() if v is not None} | {"reason": value.reason}
    if isinstance(value, Path):
        return str(value)
    if key == "url" and isinstance(value, str):
        return urls.mask(value)
    return value


def effective(resolved: Resolved) -> list[tuple[str, Any, str]]:
    """(key, value, where it came from) for each option of the command, in the table's
    order, the keys only a settings file sets included."""
    return [
        (key, _plain(key, value), resolved.sources[key])
        for key, value in resolved.values.items()
        if key in SETTINGS_KEYS
    ]


# Everything after COMMAND is COMMAND's: `config --format json check --format sarif`.
@click.command(name="config", context_settings={"allow_interspersed_args": False})
@options.of("config")
@click.argument("command", default="check")
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
@click.pass_context
def config_command(ctx: click.Context, /, command: str, args: tuple[str, ...], **_: Any) -> int:
    """The configuration COMMAND (default check) runs with, given ARGS (its options), and
    where each value comes from: the command line, the settings file, or the default."""
    group = ctx.parent.command if ctx.parent else None
    target = group.get_command(ctx, command) if isinstance(group, click.Group) else None
    if target is None or command not in SETTINGS_COMMANDS:
        raise UsageError(
            f"migcheck config {command}: name a command that reads the settings: "
            f"{', '.join(SETTINGS_COMMANDS)}"
        )
    fmt = options.resolved(ctx).values["format"]
    # Its options only: the configuration does not depend on its arguments (diff's sides).
    parser = click.Command(
        command,
        params=[p for p in target.params if isinstance(p, click.Option)],
        context_settings={"allow_extra_args": True},
    )
    with parser.make_context(command, list(args), parent=ctx) as sub:
        resolved = options.resolved(sub)
    rows = effective(resolved)
    path = str(resolved.settings_file) if resolved.settings_file else None
    # What "auto" and no version come to here and now (the check decides again when it runs).
    resolves: dict[str, str] = {}
    if command == "check":
        from migcheck import provision  # psycopg, Docker: only for check's configuration

        resolves = provision.resolution(resolved.config)
    if fmt == "json":
        document = {
            "command": command,
            "settings_file": path,
            "values": {
                key: {"value": value, "source": source}
                | ({"resolves_to": resolves[key]} if key in resolves else {})
                for key, value, source in rows
            },
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
        now = f"  (here: {resolves[key]})" if key in resolves else ""
        click.echo(f"{key:<{width}}  {value:<{value_width}}  {source}{now}")
    return 0
