"""The ``migcheck`` command: options -> Config -> library -> reporter -> exit code.

Exit codes: 0 no error-level finding, 1 findings, 2 usage or project error,
3 environment error (no PostgreSQL to be had), 130 interrupted.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any, NoReturn

import click

from migcheck import __version__, graph, progress, settings, sources
from migcheck.check import check as run_check
from migcheck.config import BACKENDS, DEFAULT_IMAGE, DRIVERS, Config, parse_pg_versions
from migcheck.diff import render_snapshot
from migcheck.errors import MigcheckError, UsageError
from migcheck.project import load as load_project
from migcheck.reporters import REPORTERS

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


def _pg(ctx: click.Context, param: click.Parameter, value: str | None) -> tuple[int, ...]:
    return parse_pg_versions(value) if value else ()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="migcheck")
@click.option("--debug", is_flag=True, help="Show tracebacks of internal errors.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Prove Alembic migrations are reversible on real PostgreSQL servers."""
    ctx.obj = {"debug": debug}


def _project_options(command: Callable[..., int]) -> Callable[..., int]:
    command = click.option(
        "-n", "--name", default="alembic", show_default=True, help="Section of the ini file."
    )(command)
    return click.option(
        "-c",
        "--config",
        "ini",
        default="alembic.ini",
        show_default=True,
        metavar="FILE",
        help="The project's Alembic configuration file.",
    )(command)


@cli.command()
@_project_options
@click.option(
    "--pg",
    callback=_pg,
    metavar="VERSIONS",
    help="PostgreSQL major versions: 16, 14,16,17, 13-18 or 'supported'.",
)
@click.option(
    "--backend",
    type=click.Choice(BACKENDS),
    default="auto",
    show_default=True,
    help="Where servers come from.",
)
@click.option(
    "--url",
    metavar="URL",
    help="An existing server (backend url): migcheck works in a scratch database on it.",
)
@click.option(
    "--pg-bin", metavar="DIR", help="Folder of PostgreSQL server binaries (backend local)."
)
@click.option(
    "--image",
    default=DEFAULT_IMAGE,
    show_default=True,
    metavar="TEMPLATE",
    help="Image of each version's container (backend docker); {version} is the major version.",
)
@click.option(
    "--reuse",
    is_flag=True,
    help="Keep each version's container running for the next run (backend docker).",
)
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
    "--url-env",
    multiple=True,
    metavar="NAME",
    help="Environment variable env.py reads its database URL from (repeatable).",
)
@click.option(
    "-x",
    "--x",
    "x_args",
    multiple=True,
    metavar="KEY=VALUE",
    help="An -x argument for env.py (repeatable); {url} is the scratch database's URL.",
)
@click.option(
    "--driver",
    type=click.Choice(DRIVERS),
    help="SQLAlchemy driver of the URLs handed to env.py (default: psycopg).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(sorted(REPORTERS)),
    default="text",
    show_default=True,
    help="Report format.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the report to FILE instead of standard output.",
)
@click.option(
    "--static",
    is_flag=True,
    help="Only check the revision graph (MC401-MC406), without any server.",
)
def check(
    ini: str,
    name: str,
    pg: tuple[int, ...],
    backend: str,
    url: str | None,
    pg_bin: str | None,
    image: str,
    reuse: bool,
    jobs: int | None,
    first: str | None,
    last: str | None,
    url_env: tuple[str, ...],
    x_args: tuple[str, ...],
    driver: str | None,
    fmt: str,
    output: Path | None,
    static: bool,
) -> int:
    """Walk every revision up, down and up again and report what does not round-trip."""
    if backend == "url" and not url:
        raise UsageError("--backend url needs --url postgresql://user@host/database")
    if reuse and backend in ("local", "url"):
        raise UsageError(
            f"--reuse keeps Docker containers: it does not apply to --backend {backend}"
        )
    ini_path = Path(ini)
    config = Config(
        project_dir=ini_path.parent,
        alembic_ini=ini_path.name,
        ini_section=name,
        pg_versions=pg,
        backend=backend,  # type: ignore[arg-type]  # click.Choice checked it
        url=url,
        pg_bin=pg_bin,
        from_revision=first,
        to_revision=last,
        image=image,
        reuse=reuse,
        jobs=jobs,
        url_env=url_env,
        x_args=x_args,
        driver=driver or "psycopg",  # type: ignore[arg-type]  # click.Choice checked it
    )
    given = {
        "url_env": url_env,
        "x_args": x_args,
        "driver": driver,
        "pg_versions": pg,
        "jobs": jobs,
    }
    config = settings.apply(config, keep={field for field, value in given.items() if value})
    if static:
        report = graph.check(config)
    else:
        display = progress.for_stream(versions=len(config.pg_versions))
        try:
            report = run_check(config, progress=display)
        finally:
            display.close()
    text = REPORTERS[fmt](report)
    if output is not None:
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as error:
            raise UsageError(f"--output {output}: {error.strerror}") from None
        click.echo(REPORTERS["text"](report) if fmt != "text" else text, nl=False)
    else:
        click.echo(text, nl=False)
    return report.exit_code


@cli.command()
def cleanup() -> int:
    """Remove the containers migcheck runs left behind: kept by --reuse, or of killed runs."""
    # Imported here: docker and testcontainers take a while to import, and check --static
    # (a pre-commit hook) needs neither.
    from migcheck.provision.docker import cleanup as remove_containers

    removed = remove_containers()
    for line in removed:
        click.echo(f"removed {line}")
    if not removed:
        click.echo("no migcheck containers")
    return 0


def _interrupted() -> int:
    click.echo("migcheck: interrupted", err=True)
    return EXIT_INTERRUPTED


def _run(command: click.Command, args: list[str] | None) -> int:
    debug = "--debug" in (args if args is not None else sys.argv[1:])
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
        error.show()
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
        if debug:
            raise
        first = (str(error).strip().splitlines() or [""])[0]
        click.echo(
            f"migcheck: internal error: {type(error).__name__}: {first} "
            "(run with --debug for details)",
            err=True,
        )
        return 4
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def main(args: list[str] | None = None) -> NoReturn:
    sys.exit(_run(cli, args))


def _server_options(command: Callable[..., int]) -> Callable[..., int]:
    """Where the server that builds revisions comes from (as for check)."""
    for option in reversed(
        (
            click.option(
                "--pg",
                callback=_pg,
                metavar="VERSION",
                help="PostgreSQL major version to build revisions on.",
            ),
            click.option(
                "--backend",
                type=click.Choice(BACKENDS),
                default="auto",
                show_default=True,
                help="Where the server comes from.",
            ),
            click.option(
                "--server-url",
                metavar="URL",
                help="An existing server to build revisions on (backend url).",
            ),
            click.option("--pg-bin", metavar="DIR", help="Folder of PostgreSQL server binaries."),
            click.option(
                "--image",
                default=DEFAULT_IMAGE,
                show_default=True,
                metavar="TEMPLATE",
                help="Image template (backend docker).",
            ),
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
    ):
        command = option(command)
    return command


def _inspection_config(ini: str, name: str, options: dict[str, Any]) -> Config:
    ini_path = Path(ini)
    config = Config(
        project_dir=ini_path.parent,
        alembic_ini=ini_path.name,
        ini_section=name,
        pg_versions=options["pg"][:1],
        backend=options["backend"],
        url=options["server_url"],
        pg_bin=options["pg_bin"],
        image=options["image"],
    )
    return settings.apply(config)


@cli.command()
@click.argument("revision", required=False, default="head")
@click.option("--url", metavar="URL", help="Snapshot this live database instead (read only).")
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
@_project_options
@_server_options
def snapshot(
    revision: str,
    url: str | None,
    output: Path | None,
    fmt: str,
    ini: str,
    name: str,
    **options: Any,
) -> int:
    """The schema at REVISION (default head) built on a fresh server, or of a live database."""
    if url:
        taken, _ = sources.read_live(url)
    else:
        config = _inspection_config(ini, name, options)
        project = load_project(config)
        (taken,) = sources.at_revisions(config, project, [sources.resolve(project, revision)])
    taken = sources.narrow(
        taken, schemas=options["schemas"], exclude_tables=options["exclude_tables"]
    )
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


@cli.command(name="diff")
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
@_project_options
@_server_options
def diff_command(
    first: str, second: str | None, fmt: str, ini: str, name: str, **options: Any
) -> int:
    """Differences between two schemas: revisions (head, base, an id, head-1), snapshot
    files or database URLs. With one database URL only: that database against the schema
    the migrations build at the revisions its alembic_version table records."""
    config = _inspection_config(ini, name, options)
    result = sources.compare_sources(
        config,
        first,
        second,
        schemas=options["schemas"],
        exclude_tables=options["exclude_tables"],
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
