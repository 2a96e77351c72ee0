"""``migcheck snapshot`` and ``migcheck diff``: schemas of revisions, snapshot files and
live databases, and what differs between two of them."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import click

from migcheck.cli import options, reports
from migcheck.diff import render_snapshot
from migcheck.errors import UsageError
from migcheck.reporters import comparison


@click.command()
@click.argument("source", required=False, default="head")
@options.of("snapshot")
@click.pass_context
def snapshot(ctx: click.Context, /, source: str, **_: Any) -> int:
    """The schema of SOURCE: a revision (default head) built on a fresh server, a live
    database's URL (read only), or a snapshot file."""
    from migcheck import sources  # the walk's modules, only when a command runs
    from migcheck.project import load as load_project

    resolved = options.resolved(ctx)
    config, values = resolved.config, resolved.values
    output = Path(str(values["output"])) if values["output"] else None
    fmt, schemas, exclude_tables = (
        values["format"],
        options.texts(values, "schema"),
        options.texts(values, "exclude_table"),
    )
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


@click.command(name="diff")
@click.argument("first")
@click.argument("second", required=False)
@options.of("diff")
@click.pass_context
def diff_command(ctx: click.Context, /, first: str, second: str | None, **_: Any) -> int:
    """Differences between two schemas: revisions (head, base, an id, head-1), snapshot
    files or database URLs. With one database URL only: that database against the schema
    the migrations build at the revisions its alembic_version table records."""
    from migcheck import sources  # the walk's modules, only when a command runs

    resolved = options.resolved(ctx)
    config, values = resolved.config, resolved.values
    fmt, schemas, exclude_tables = (
        values["format"],
        options.texts(values, "schema"),
        options.texts(values, "exclude_table"),
    )
    result = sources.compare_sources(
        config, first, second, schemas=schemas, exclude_tables=exclude_tables
    )
    if fmt == "json":
        click.echo(comparison.render_json(result), nl=False)
    elif fmt == "text":
        colour = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
        click.echo(comparison.render_text(result, colour=colour), nl=False, color=colour)
    else:  # MC303 as check reports it, its files named from the repository's root
        reports.emit(result.report, reports.Outputs((), str(fmt), None), config.ini_path)
    return 1 if result.differences else 0
