"""The ``migcheck`` command group: how a command is run, and its exit code.

Exit codes: 0 no error-level finding, 1 findings, 2 usage or project error,
3 environment error (no PostgreSQL to be had), 4 migcheck's own bug, 130 interrupted.
"""

from __future__ import annotations

import signal
import sys
import traceback
from types import FrameType
from typing import NoReturn

import click

from migcheck import __version__
from migcheck.cli import check, config, options, schemas
from migcheck.errors import MigcheckError

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
@options.of("migcheck")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Prove Alembic migrations are reversible on real PostgreSQL servers."""
    ctx.obj = {"debug": debug}


for command in (check.check, check.cleanup, check.merge, config.config_command):
    cli.add_command(command)
cli.add_command(schemas.snapshot)
cli.add_command(schemas.diff_command)


def _interrupted() -> int:
    click.echo("migcheck: interrupted", err=True)
    return EXIT_INTERRUPTED


def run(args: list[str] | None = None, command: click.Command | None = None) -> int:
    """Run ``migcheck ARGS`` (default: this process's arguments) and return its exit code."""
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
        result = (command or cli).main(args=args, prog_name="migcheck", standalone_mode=False)
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
    sys.exit(run(args))
