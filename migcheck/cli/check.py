"""``migcheck check``, ``merge`` and ``cleanup``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import click

from migcheck import graph, progress, suppress
from migcheck.check import check as run_check
from migcheck.cli import options, reports
from migcheck.config import COMMAND_LINE, DEFAULT, Config, Resolved
from migcheck.errors import ProjectError, UsageError
from migcheck.findings import Report, graded
from migcheck.locations import folders
from migcheck.reporters import json_format


@click.command()
@options.of("check")
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@click.pass_context
def check(ctx: click.Context, /, files: tuple[Path, ...], **_: Any) -> int:
    """Walk every revision up, down and up again and report what does not round-trip.

    With --changed, only the revisions among FILES (pre-commit passes them), or changed
    since --base in git."""
    resolved = options.resolved(ctx)
    values = resolved.values
    if files and not values["changed"]:
        raise UsageError("FILES are read with --changed only: add --changed")
    if values["base"] and not values["changed"] and resolved.sources["base"] == COMMAND_LINE:
        raise UsageError("--base REF applies to --changed only: add --changed")
    if values["static"]:
        _refuse_walk_options(resolved)
    config = replace(resolved.config, changed_files=tuple(path.resolve() for path in files))
    outputs = reports.outputs(
        _format(values), options.texts(values, "output")
    )  # see cli/reports.py
    outputs.clear()
    if values["static"]:
        report = graph.check(config)
    else:
        display = progress.for_stream(versions=len(config.pg_versions))
        try:
            report = run_check(config, progress=display)
        finally:
            display.close()
    return reports.emit(report, outputs, config.ini_path)


def _format(values: Mapping[str, object]) -> str | None:
    chosen = values["format"]
    return chosen if isinstance(chosen, str) else None


@click.command()
@options.of("cleanup")
def cleanup(url: str | None) -> int:
    """Remove what migcheck runs of this machine left behind when they were killed: local
    servers and their folders, runner folders, scratch databases on --url, containers
    (and those kept by --reuse). What live runs or other machines own stays."""
    # Imported here: docker and testcontainers take a while to import, and check --static
    # (a pre-commit hook) needs neither.
    from migcheck import runner_pool
    from migcheck.provision import docker, leftovers, local
    from migcheck.provision import url as url_backend

    if url:
        url_backend.check(url)
    removed = local.leftovers() + runner_pool.leftovers()
    if url:
        removed += leftovers(url)
    if docker.reachable():
        removed += docker.cleanup()
    for line in removed:
        click.echo(f"removed {line}")
    if not removed:
        click.echo("nothing to remove")
    return 0


def _refuse_walk_options(resolved: Resolved) -> None:
    """--static checks the revision graph only: an option of the walk would be ignored."""
    for key in ("from", "to", "changed", "models"):
        if resolved.sources[key] == COMMAND_LINE and resolved.values[key]:
            flag = f"--{key}"
            raise UsageError(
                f"{flag} applies to the walk, not to --static, which checks the revision "
                f"graph only (drop {flag}, or give --no-static)"
            )


@click.command()
@click.argument(
    "files",
    nargs=-1,
    required=True,
    metavar="REPORTS...",
    type=click.Path(dir_okay=False, path_type=Path),
)
@options.of("merge")
@click.pass_context
def merge(ctx: click.Context, /, files: tuple[Path, ...], **_: Any) -> int:
    """Combine JSON reports of a sharded run (one CI job per PostgreSQL version) into one,
    with one exit code."""
    resolved = options.resolved(ctx)
    config, values = resolved.config, resolved.values
    outputs = reports.outputs(_format(values), options.texts(values, "output"))
    loaded: dict[str, Report] = {}
    for path in files:
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as error:
            raise UsageError(f"{path}: {error.strerror}") from None
        except UnicodeDecodeError:
            raise UsageError(f"{path}: not a migcheck JSON report (not UTF-8 text)") from None
        try:
            loaded[str(path)] = json_format.load(text)
        except ValueError as error:
            raise UsageError(f"{path}: not a migcheck JSON report: {error}") from None
    # The walk's modules: see check().
    from migcheck.matrix import needs
    from migcheck.shards import merge as merge_reports

    given = resolved.sources["config"] != DEFAULT
    parsed = _revision_files(config, given=given)
    accepted = suppress.accepted(config, parsed) if parsed is not None else ()
    merged = graded(merge_reports(loaded, accepted, needed=needs(parsed or ())), config.severity)
    return reports.emit(merged, outputs, config.ini_path)


def _revision_files(config: Config, *, given: bool) -> tuple[graph.Parsed, ...] | None:
    """The project's revision files, whose comments and the settings' ``ignore`` are the
    suppressions check applies, and whose graph it compares versions with. None without a
    project: merge run where no Alembic configuration is (-c not given, none in the
    current folder)."""
    try:
        where = folders(config)
    except ProjectError:
        if given or config.ini_path.exists():
            raise
        return None
    return tuple(graph.revisions(where))
