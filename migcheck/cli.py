"""The ``migcheck`` command: options -> Config -> library -> reporter -> exit code.

Exit codes: 0 no error-level finding, 1 findings, 2 usage or project error,
3 environment error (no PostgreSQL to be had), 130 interrupted.
"""

from __future__ import annotations

import signal
import sys
import traceback
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from types import FrameType
from typing import Any, NoReturn

import click
from click.core import ParameterSource

from migcheck import (
    __version__,
    cli_config,
    cli_options,
    cli_reports,
    cli_schemas,
    graph,
    progress,
    suppress,
)
from migcheck.check import check as run_check
from migcheck.config import Config
from migcheck.errors import MigcheckError, ProjectError, UsageError
from migcheck.findings import Report, Suppression
from migcheck.project import folders
from migcheck.reporters import REPORTERS, json_format

EXIT_INTERRUPTED = 130


class Interrupted(KeyboardInterrupt):
    """SIGINT or SIGTERM, raised so every ``with`` block cleans up on the way out.

    A subclass, not KeyboardInterrupt itself: CPython run with -m remembers a plain
    KeyboardInterrupt that left an eval() of a string (SQLAlchemy evaluates annotations
    that way while env.py maps models) and ends the process by SIGINT even after it was
    caught, instead of exiting 130. Code that cancels work on Ctrl-C (psycopg cancels the
    running query) still sees a KeyboardInterrupt.
    """


class _Signals:
    """Turns SIGINT and SIGTERM into Interrupted, and remembers that one arrived.

    Cleanup code unwinding from the exception may fail in turn (a psycopg pipeline cut
    short mid-query refuses to roll back) and replace it; the run was still interrupted.
    """

    def __init__(self) -> None:
        self.received: list[int] = []

    def __call__(self, signum: int, frame: FrameType | None) -> NoReturn:
        self.received.append(signum)
        raise Interrupted


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="migcheck")
@click.option("--debug", is_flag=True, help="Show tracebacks of internal errors.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Prove Alembic migrations are reversible on real PostgreSQL servers."""
    ctx.obj = {"debug": debug}


def _report_options(command: Callable[..., int]) -> Callable[..., int]:
    """--format and --output, of check and merge (see cli_reports)."""
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


@cli.command()
@cli_options.project_options
@cli_options.server_options
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
        cli_options.make_config(ctx), changed_files=tuple(path.resolve() for path in files)
    )
    if no_models:
        config = replace(config, models=False)
    outputs = cli_reports.outputs(fmt, output)  # before the walk: see cli_reports
    outputs.clear()
    if static:
        report = graph.check(config)
    else:
        display = progress.for_stream(versions=len(config.pg_versions))
        try:
            report = run_check(config, progress=display)
        finally:
            display.close()
    return cli_reports.emit(report, outputs, config.ini_path)


@cli.command()
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


cli.add_command(cli_config.config_command)
cli.add_command(cli_schemas.snapshot)
cli.add_command(cli_schemas.diff_command)


def _refuse_walk_options(ctx: click.Context) -> None:
    """--static checks the revision graph only: an option of the walk would be ignored."""
    walk = (("first", "--from"), ("last", "--to"), ("changed", "--changed"), ("models", "--models"))
    for name, flag in walk:
        if ctx.get_parameter_source(name) is ParameterSource.COMMANDLINE and ctx.params[name]:
            raise UsageError(
                f"{flag} applies to the walk, not to --static, which checks the revision "
                f"graph only (drop {flag}, or give --no-static)"
            )


def _interrupted() -> int:
    click.echo("migcheck: interrupted", err=True)
    return EXIT_INTERRUPTED


def _run(command: click.Command, args: list[str] | None) -> int:
    given = list(args if args is not None else sys.argv[1:])
    end = given.index("--") if "--" in given else len(given)
    debug = "--debug" in given[:end]
    if debug:  # the group's option, accepted anywhere: errors say "run with --debug"
        args = ["--debug", *(a for a in given[:end] if a != "--debug"), *given[end:]]
    signals = _Signals()
    wanted = [signal.SIGTERM]
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:  # not if ignored
        wanted.append(signal.SIGINT)
    previous = {signum: signal.signal(signum, signals) for signum in wanted}
    try:
        result = command.main(args=args, prog_name="migcheck", standalone_mode=False)
        return result if isinstance(result, int) else 0
    except click.exceptions.Abort:
        return _interrupted()
    except click.ClickException as error:
        # Click's usage errors; all of them are the caller's to fix: exit 2, not Click's 1.
        click.echo(f"migcheck: {_click_message(error)}", err=True)
        return 2
    except MigcheckError as error:
        if signals.received:
            return _interrupted()
        if debug:
            traceback.print_exc()
        click.echo(f"migcheck: {error}", err=True)
        return error.exit_code
    except KeyboardInterrupt:
        return _interrupted()
    except Exception as error:
        if signals.received:
            return _interrupted()
        if debug:  # the traceback, then the same line and exit code as without --debug
            traceback.print_exc()
        first = (str(error).strip().splitlines() or [""])[0]
        hint = "report it with the traceback above" if debug else "run with --debug for details"
        click.echo(f"migcheck: internal error: {type(error).__name__}: {first} ({hint})", err=True)
        return 4
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _click_message(error: click.ClickException) -> str:
    """Click's error as one line: its message, then where the command's help is."""
    message = " ".join(error.format_message().split()).rstrip(".")
    context = getattr(error, "ctx", None)
    if isinstance(context, click.Context):
        return f"{message} (see {context.command_path} --help)"
    return message


def main(args: list[str] | None = None) -> NoReturn:
    sys.exit(_run(cli, args))


@cli.command()
@click.argument("reports", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@_report_options
@click.option(
    "-c",
    "--config",
    "ini",
    is_eager=True,
    callback=cli_options._read_settings,  # its settings file, as check's -c
    metavar="FILE",
    help=f"The Alembic configuration the reports are of (default: {cli_options.DEFAULT_INI}): "
    "its suppressions apply, code hosts get files named from its folder.",
)
@click.pass_context
def merge(
    ctx: click.Context,
    reports: tuple[Path, ...],
    fmt: str | None,
    output: tuple[str, ...],
    ini: str,
) -> int:
    """Combine JSON reports of a sharded run (one CI job per PostgreSQL version) into one,
    with one exit code."""
    outputs = cli_reports.outputs(fmt, output)
    config = cli_options.make_config(ctx)
    loaded: dict[str, Report] = {}
    for path in reports:
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
    given = source is ParameterSource.COMMANDLINE or cli_options.ini_from(ctx) is not None
    merged = merge_reports(loaded, _suppressions(config, given=given))
    return cli_reports.emit(merged, outputs, config.ini_path)


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
