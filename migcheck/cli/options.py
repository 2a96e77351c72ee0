"""Click's view of the option table (migcheck/options.py): each command's options made
from its rows, and the configuration a parsed command line resolves to.

Click parses; it sets no defaults from the settings file. Which values the user typed is
Click's parameter source; ``config.resolve`` puts them over the settings file and the
table's defaults, and says where each value came from.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import click
from click.core import ParameterSource

from migcheck import options
from migcheck.config import Resolved, resolve
from migcheck.options import Option

F = TypeVar("F", bound=Callable[..., Any])


def _versions(ctx: click.Context, param: click.Parameter, value: object) -> object:
    return value if value is None else options.parse_pg_versions(str(value))


def _click_option(row: Option) -> Callable[[F], F]:
    flags = list(row.flags)
    if row.off:  # "--reuse/--no-reuse": Click's own spelling of an on/off pair
        flags[-1] = f"{flags[-1]}/{row.off}"
    kwargs: dict[str, Any] = {"help": row.help, "metavar": row.metavar}
    if row.default is not None:
        kwargs.update(default=row.default, show_default=True)
    if row.kind == "flag":
        kwargs.update(is_flag=True, default=bool(row.default), metavar=None)
    elif row.kind == "choice":
        kwargs.update(type=click.Choice(row.choices), metavar=None)
    elif row.kind == "texts":
        kwargs.update(multiple=True)
    elif row.kind == "versions":
        kwargs.update(type=click.UNPROCESSED, callback=_versions)
    elif row.kind == "seconds":
        kwargs.update(type=click.FloatRange(min=0))
    elif row.kind == "count":
        kwargs.update(type=click.IntRange(min=1))
    elif row.kind == "number":
        kwargs.update(type=click.IntRange(min=0))
    return click.option(*flags, row.name, **kwargs)


def of(command: str) -> Callable[[F], F]:
    """One decorator: every option the table gives ``command``, in the table's order."""
    rows = [row for row in options.for_command(command).values() if row.flags]

    def decorate(function: F) -> F:
        for row in reversed(rows):
            function = _click_option(row)(function)
        return function

    return decorate


def given(ctx: click.Context) -> dict[str, object]:
    """What the user typed, by option key (an empty repeatable option was not typed)."""
    typed = (ParameterSource.COMMANDLINE, ParameterSource.ENVIRONMENT)
    found = {}
    for row in options.for_command(ctx.info_name or "").values():
        if row.flags and ctx.get_parameter_source(row.name) in typed:
            found[row.key] = ctx.params.get(row.name)
    return found


def resolved(ctx: click.Context) -> Resolved:
    """The configuration of the parsed command ``ctx``."""
    return resolve(ctx.info_name or "", given(ctx))


def texts(values: Mapping[str, object], key: str) -> tuple[str, ...]:
    """A repeatable option's values (a tuple from Click, a list from the settings file)."""
    found = values[key]
    return tuple(str(item) for item in found) if isinstance(found, tuple | list) else ()
