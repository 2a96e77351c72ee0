"""``migcheck snapshot`` and ``migcheck diff``: schemas of revisions, snapshot files and
live databases, and what differs between two of them."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import click

from migcheck.cli.options import make_config, project_options, server_options, stack
from migcheck.diff import render_snapshot
from migcheck.errors import UsageError

_narrowing = stack(
    click.option(
        "--schema",
        "schemas",
        multiple=True,
        metavar="NAME",
        help="Only this schema (repeatable).",
    ),
    click.option(
        "--exclude-table",
        "exclude_tables",
        multiple=True,
        metavar="PATTERN",
        help="Leave out tables matching PATTERN (repeatable): tmp_*, audit.*",
    ),
)


@click.command()
@click.argument("source", required=False, default="head")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the snapshot file (JSON) here.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="What to print when there is no --output.",
)
@_narrowing
@project_options
@server_options
@click.pass_context
def snapshot(
    ctx: click.Context,
    /,
    source: str,
    output: Path | None,
    fmt: str,
    schemas: tuple[str, ...],
    exclude_tables: tuple[str, ...],
    **_: Any,
) -> int:
    """The schema of SOURCE: a revision (default head) built on a fresh server, a live
    database's URL (read only), or a snapshot file."""
    from migcheck import sources  # the walk's modules, only when a command runs
    from migcheck.project import load as load_project

    config = make_config(ctx)
    side = sources.classify(source)
    if side.kind == "url":
        taken, _recorded = sources.read_live(side.text)
    elif side.kind == "file":
        taken = sources.load_file(side.text)
    else:
        project = load_project(config)
        (taken,) = sources.at_revisions(config, project, [sources.resolve(project, source)])
    taken = sources.narrow(taken, schemas=schemas, exclude_tables=exclude_tables)
    if output is not None:
        try:
            output.write_text(taken.to_json(), encoding="utf-8")
        except OSError as error:
            raise UsageError(f"--output {output}: {error.strerror}") from None
        click.echo(f"{output}: {len(taken.objects)} objects", err=True)
    elif fmt == "json":
        click.echo(taken.to_json(), nl=False)
    else:
        click.echo(render_snapshot(taken), nl=False)
    return 0


_COLOURS = {"+": "green", "-": "red", "~": "yellow"}


@click.command(name="diff")
@click.argument("first")
@click.argument("second", required=False)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Report format.",
)
@_narrowing
@project_options
@server_options
@click.pass_context
def diff_command(
    ctx: click.Context,
    /,
    first: str,
    second: str | None,
    fmt: str,
    schemas: tuple[str, ...],
    exclude_tables: tuple[str, ...],
    **_: Any,
) -> int:
    """Differences between two schemas: revisions (head, base, an id, head-1), snapshot
    files or database URLs. With one database URL only: that database against the schema
    the migrations build at the revisions its alembic_version table records."""
    from migcheck import sources  # the walk's modules, only when a command runs

    config = make_config(ctx)
    result = sources.compare_sources(
        config, first, second, schemas=schemas, exclude_tables=exclude_tables
    )
    if fmt == "json":
        click.echo(json.dumps(result.as_dict(), indent=2, ensure_ascii=False))
    else:
        colour = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
        click.echo(f"--- {result.old}\n+++ {result.new}")
        for line in result.lines:
            click.echo(
                click.style(line, fg=_COLOURS.get(line[:1])) if colour else line, color=colour
            )
        if not result.lines:
            click.echo("no differences")
    return 1 if result.lines else 0
