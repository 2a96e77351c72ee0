"""Incremental snapshots: after a step, only the relations whose catalog rows changed are
read again, with the relations that name them or that they belong to.

Every change to a catalog row gives the row a new xmin, whatever command made it (DDL,
a function that writes the catalog, an extension's script): ``changes.sql`` sums them per
relation, over every catalog that describes one, and over everything that belongs to no
relation (schemas, types, functions...). A change of the latter, which the text of any
relation's objects may show (a renamed type, schema or function), makes a full read; so
does a first read. Objects of the relation kinds carry the oid of the relation they
belong to (``_owner``), so that those of a changed relation are replaced as a whole,
under its new name when it was renamed.

``MIGCHECK_VERIFY_SNAPSHOTS=1``: every incremental snapshot is compared with a full
read of the same database, and a difference is an internal error (CI runs the fixture
suite so on the lowest and highest versions).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from migcheck.snapshot import SchemaObject

# The kinds whose objects belong to one relation (the query's ``c``): read per relation.
RELATION_KINDS = frozenset(
    {
        "column",
        "composite",
        "constraint",
        "index",
        "policy",
        "rule",
        "sequence",
        "statistics",
        "table",
        "trigger",
        "view",
    }
)


def verifying() -> bool:
    return os.environ.get("MIGCHECK_VERIFY_SNAPSHOTS", "") not in ("", "0")


@cache
def presence(name: str) -> str:
    return (resources.files("migcheck") / "catalog" / "presence" / f"{name}.sql").read_text()


@cache
def query(kind: str, sql: str, *, only: bool) -> str:
    """A relation kind's query with the oid of each object's relation (``_owner``, its
    last column), and with ``only``, for the relations ``%(relations)s`` alone."""
    if kind not in RELATION_KINDS:
        return sql
    start = sql.index("\nFROM ")
    sql = sql[:start] + ",\n       c.oid AS _owner" + sql[start:]
    if only:
        end = sql.rindex("\nORDER BY ")
        sql = sql[:end] + "\n  AND c.oid = ANY(%(relations)s::oid[])" + sql[end:]
    return sql


@dataclass(slots=True)
class Read:
    """What the last snapshot read, for the next one."""

    fingerprints: dict[int, str] = field(default_factory=dict)
    others: str = ""
    # relation kind -> relation oid -> its objects
    owned: dict[str, dict[int, list[SchemaObject]]] = field(default_factory=dict)
    unowned: list[SchemaObject] = field(default_factory=list)  # the other kinds' objects
    version_table: str = ""  # left out of what was read: another name, another read

    def objects(self) -> Iterable[SchemaObject]:
        yield from self.unowned
        for by_owner in self.owned.values():
            for found in by_owner.values():
                yield from found


def fingerprints(rows: Iterable[tuple[int | None, str]]) -> tuple[dict[int, str], str]:
    """``changes.sql``'s rows: (relation -> fingerprint, the others' fingerprint)."""
    found: dict[int, str] = {}
    others = ""
    for relation, fingerprint in rows:
        if relation is None:
            others = fingerprint
        else:
            found[int(relation)] = fingerprint
    return found, others


def changed(
    read: Read | None, now: Mapping[int, str], others: str, version_table: str = ""
) -> set[int] | None:
    """The relations created, changed or dropped since ``read``; None when a full read
    is due (none yet, what belongs to no relation changed, or the version table left out
    has another name)."""
    if read is None or others != read.others or version_table != read.version_table:
        return None
    before = read.fingerprints
    found = {oid for oid, fingerprint in now.items() if before.get(oid) != fingerprint}
    return found | (before.keys() - now.keys())


def merged(
    read: Read,
    relations: set[int],
    fresh: Mapping[str, Mapping[int, list[SchemaObject]]],
    absent: set[str],
) -> dict[str, dict[int, list[SchemaObject]]]:
    """The relation kinds' objects: ``read``'s, with those of ``relations`` replaced by
    ``fresh`` (and none of a kind the presence query found ``absent``)."""
    owned: dict[str, dict[int, list[SchemaObject]]] = {}
    for kind in RELATION_KINDS:
        if kind in absent:
            owned[kind] = {}
            continue
        kept = {o: found for o, found in read.owned.get(kind, {}).items() if o not in relations}
        kept.update(fresh.get(kind, {}))
        owned[kind] = kept
    return owned


def differences(incremental: Sequence[SchemaObject], full: Sequence[SchemaObject]) -> list[str]:
    """What an incremental snapshot got wrong, against a full read (verification)."""
    mine, theirs = set(incremental), set(full)
    return [f"- {o.key} {o.attributes}" for o in sorted(theirs - mine, key=str)] + [
        f"+ {o.key} {o.attributes}" for o in sorted(mine - theirs, key=str)
    ]
