"""The values of a settings file, key by key: how each kind of option (options.Kind) is
read from TOML, and the error naming the key when it cannot be."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path

from migcheck.errors import UsageError
from migcheck.findings import CODES, Suppression
from migcheck.options import Option, parse_pg_versions


@dataclass(frozen=True, slots=True)
class Table:
    """A table of a settings file: tool.migcheck[.check], or migcheck.toml's "" and check."""

    path: Path
    name: str
    command: str = ""  # the command the table is for; "": the top table, for every one

    @property
    def label(self) -> str:
        return f"{self.path}: [{self.name}]" if self.name else str(self.path)


Parser = Callable[[str, object, Table], object]
_HOOK = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_][\w.]*$")


def _strings(key: str, value: object, table: Table) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return tuple(value)
    raise ValueError(f"{key}: expected a string or a list of strings, found {value!r}")


def _string(key: str, value: object, table: Table) -> str:
    if isinstance(value, str) and value:
        return value
    raise ValueError(f"{key}: expected a non-empty string, found {value!r}")


def _path(key: str, value: object, table: Table) -> str:
    return str(table.path.parent / _string(key, value, table))


def _flag(key: str, value: object, table: Table) -> bool:
    if isinstance(value, bool):
        return value
    raise ValueError(f"{key}: expected true or false, found {value!r}")


def _choice(choices: Collection[str]) -> Parser:
    def parse(key: str, value: object, table: Table) -> str:
        if value in choices:
            return str(value)
        raise ValueError(f"{key}: expected one of {', '.join(choices)}, found {value!r}")

    return parse


def _flag_or_false(parse: Parser) -> Parser:
    def models(key: str, value: object, table: Table) -> object:
        return False if value is False else parse(key, value, table)

    return models


def _hook(key: str, value: object, table: Table) -> str:
    if isinstance(value, str) and _HOOK.match(value):
        return value
    raise ValueError(f'{key}: expected "package.module:function", found {value!r}')


def _seconds(key: str, value: object, table: Table) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool) and value >= 0:
        return float(value)
    raise ValueError(f"{key}: expected a number of seconds (0: no limit), found {value!r}")


def _version(value: object) -> int | None:  # a TOML integer, not a boolean
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _versions(key: str, value: object, table: Table) -> tuple[int, ...]:
    if _version(value) is not None:
        value = str(value)
    if isinstance(value, list) and all(isinstance(v, int | str) for v in value):
        value = ",".join(str(v) for v in value)
    if isinstance(value, str):
        try:
            return parse_pg_versions(value, flag=key)
        except UsageError as error:
            raise ValueError(f"{key}: {error}".replace(f"{key}: {key}: ", f"{key}: ")) from None
    raise ValueError(f'{key}: expected versions like [14, 16] or "13-18", found {value!r}')


def _whole(least: int) -> Parser:
    def parse(key: str, value: object, table: Table) -> int:
        if (number := _version(value)) is None or number < least:
            raise ValueError(f"{key}: expected a whole number of {least} or more, found {value!r}")
        return number

    return parse


_ENTRY = {"code", "reason", "revision", "pg"}


def _ignores(key: str, value: object, table: Table) -> tuple[Suppression, ...]:
    """``ignore = [{code = "MC201", revision = "ab12", pg = 16, reason = "..."}]``."""
    if not isinstance(value, list) or not all(isinstance(entry, dict) for entry in value):
        raise ValueError(f'{key}: expected a list of {{code = "MC201", reason = "..."}} tables')
    found = []
    for number, entry in enumerate(value, start=1):
        where = f"{key} entry {number}"
        unknown = sorted(set(entry) - _ENTRY)
        if unknown:
            raise ValueError(
                f"{where}: unknown key {unknown[0]!r} (known: code, reason, revision, pg)"
            )
        code = entry.get("code")
        if code not in CODES:
            raise ValueError(f"{where}: code {code!r} is not a migcheck finding code")
        reason = entry.get("reason")
        if not isinstance(reason, str) or not reason.strip():
            raise ValueError(
                f'{where} ({code}): a reason is required: reason = "why it is accepted"'
            )
        revision = entry.get("revision")
        if revision is not None and (not isinstance(revision, str) or not revision):
            raise ValueError(f"{where} ({code}): revision: expected a revision id or prefix")
        pg = entry.get("pg")
        if pg is not None and _version(pg) is None:
            raise ValueError(f"{where} ({code}): pg: expected a major version like 16")
        found.append(
            Suppression(
                code, reason.strip(), revision, _version(pg), source=f"{table.label}: {where}"
            )
        )
    return tuple(found)


SEVERITIES = ("error", "warning", "info")


def _severities(key: str, value: object, table: Table) -> tuple[tuple[str, str], ...]:
    """``severity = { MC501 = "error" }``."""
    if not isinstance(value, dict):
        raise ValueError(f'{key}: expected a table like {{ MC501 = "error" }}, found {value!r}')
    for code, level in value.items():
        if code not in CODES:
            raise ValueError(f"{key}: {code!r} is not a migcheck finding code")
        if level not in SEVERITIES:
            raise ValueError(f"{key}.{code}: expected error, warning or info, found {level!r}")
    return tuple(sorted(value.items()))


def parser(row: Option) -> Parser:
    """How a settings file's value of ``row`` is read (``models = false`` turns it off)."""
    if row.kind == "choice":
        return _choice(row.choices)
    if row.kind == "models":
        return _flag_or_false(_hook)
    return _PARSERS[row.kind]


_PARSERS: dict[str, Parser] = {
    "text": _string,
    "texts": _strings,
    "path": _path,
    "flag": _flag,
    "versions": _versions,
    "seconds": _seconds,
    "count": _whole(1),
    "number": _whole(0),
    "hook": _hook,
    "ignores": _ignores,
    "severities": _severities,
}
