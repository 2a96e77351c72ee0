"""``migcheck check``, ``merge`` and ``cleanup``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import click
from click.core import ParameterSource

from migcheck import graph, progress, suppress
from migcheck.check import check as run_check
from migcheck.cli import options, reports
from migcheck.config import Config
from migcheck.errors import ProjectError, UsageError
from migcheck.findings import Report, Suppression
from migcheck.project import folders
from migcheck.reporters import REPORTERS, json_format


def _report_options(command: Callable[..., int]) -> Callable[..., int]:
    """--format and --output, of check and merge (see cli/reports.py)."""
    command = click.option(
        "-o",
        "--output",
        multiple=True,
        metavar="[FORMAT:]FILE",
        help="Write a report to FILE (repeatable): FORMAT:FILE in FORMAT (one of --format's), "
        "FILE in --format's, and then the terminal gets the text report.",
    )(command)
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(sorted(REPORTERS)),
        help="Report format (default: text; github under GitHub Actions).",
    )(command)


@click.command()
@options.project_options
@options.server_options
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    metavar="N",
    help="PostgreSQL versions walked at a time (default: one per CPU core).",
)
@click.option("--from", "first", metavar="REV", help="First revision to check.")
@click.option("--to", "last", metavar="REV", help="Last revision to check.")
@click.option(
    "--models",
    metavar="MODULE:ATTRIBUTE",
    help="The SQLAlchemy models (a MetaData or declarative base) compared with the schema "
    "at head (MC301); default: the target_metadata env.py passes.",
)
@click.option(
    "--no-models/--compare-models",
    help="Do not compare the models with the schema at head (MC301); settings: models = false.",
)
@_report_options
@click.option(
    "--static/--no-static",
    help="Only check the revision graph (MC401-MC406), without any server.",
)
@click.option(
    "--changed/--no-changed",
    help="Walk only the revisions whose files changed: the FILES given, else those that "
    "differ from --base in git.",
)
@click.option(
    "--base",
    metavar="REF",
    help="Git commit --changed compares with (default: the merge base with origin/HEAD, "
    "main or master).",
)
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@click.pass_context
def check(
    ctx: click.Context,
    /,
    fmt: str | None,
    output: tuple[str, ...],
    static: bool,
    no_models: bool,
    changed: bool,
    base: str | None,
    files: tuple[Path, ...],
    **_: Any,
) -> int:
    """Walk every revision up, down and up again and report what does not round-trip.

    With --changed, only the revisions among FILES (pre-commit passes them), or changed
    since --base in git."""
    if files and not changed:
        raise UsageError("FILES are read with --changed only: add --changed")
    if base and not changed and ctx.get_parameter_source("base") is ParameterSource.COMMANDLINE:
        raise UsageError("--base REF applies to --changed only: add --changed")
    if static:
        _refuse_walk_options(ctx)
    config = replace(
        options.make_config(ctx), changed_files=tuple(path.resolve() for path in files)
    )
    if no_models:
        config = replace(config, models=False)
    outputs = reports.outputs(fmt, output)  # before the walk: see cli/reports.py
    outputs.clear()
    if static:
        report = graph.check(config)
    else:
        display = progress.for_stream(versions=len(config.pg_versions))
        try:
            report = run_check(config, progress=display)
        finally:
            display.close()
    return reports.emit(report, outputs, config.ini_path)


@click.command()
@click.option(
    "--url",
    metavar="URL",
    help="A server migcheck made scratch databases on (backend url): drop those of killed runs.",
)
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


def _refuse_walk_options(ctx: click.Context) -> None:
    """--static checks the revision graph only: an option of the walk would be ignored."""
    walk = (("first", "--from"), ("last", "--to"), ("changed", "--changed"), ("models", "--models"))
    for name, flag in walk:
        if ctx.get_parameter_source(name) is ParameterSource.COMMANDLINE and ctx.params[name]:
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
@_report_options
@click.option(
    "-c",
    "--config",
    "ini",
    is_eager=True,
    callback=options._read_settings,  # its settings file, as check's -c
    metavar="FILE",
    help=f"The Alembic configuration the reports are of (default: {options.DEFAULT_INI}): "
    "its suppressions apply, code hosts get files named from its folder.",
)
@click.pass_context
def merge(
    ctx: click.Context,
    files: tuple[Path, ...],
    fmt: str | None,
    output: tuple[str, ...],
    ini: str,
) -> int:
    """Combine JSON reports of a sharded run (one CI job per PostgreSQL version) into one,
    with one exit code."""
    outputs = reports.outputs(fmt, output)
    config = options.make_config(ctx)
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
    from migcheck.shards import merge as merge_reports  # the walk's modules: see check()

    source = ctx.get_parameter_source("ini")
    given = source is ParameterSource.COMMANDLINE or options.ini_from(ctx) is not None
    merged = merge_reports(loaded, _suppressions(config, given=given))
    return reports.emit(merged, outputs, config.ini_path)


def _suppressions(config: Config, *, given: bool) -> tuple[Suppression, ...]:
    """The project's suppressions, as check applies them. None without a project: merge
    run where no Alembic configuration is (-c not given, none in the current folder)."""
    try:
        where = folders(config)
    except ProjectError:
        if given or config.ini_path.exists():
            raise
        return ()
    parsed = graph.revisions(where)
    return suppress.collect(config, [(p.id, p.path) for p in parsed])
