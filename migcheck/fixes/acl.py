"""Privileges: GRANT and REVOKE statements that turn one access control list back into
another. An ACL the catalog reads as NULL is the object type's built-in default: its
owner holds every privilege, PUBLIC some (EXECUTE on functions, USAGE on types)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from migcheck.fixes.sql import Note, Sql, Statement
from migcheck.snapshot import Value

_NAMES = {
    "r": "SELECT",
    "w": "UPDATE",
    "a": "INSERT",
    "d": "DELETE",
    "D": "TRUNCATE",
    "x": "REFERENCES",
    "t": "TRIGGER",
    "X": "EXECUTE",
    "U": "USAGE",
    "C": "CREATE",
    "c": "CONNECT",
    "T": "TEMPORARY",
    "m": "MAINTAIN",
    "s": "SET",
    "A": "ALTER SYSTEM",
}
# What the owner holds, and PUBLIC, when an object's ACL is the built-in default
# (acldefault() in PostgreSQL's acl.c). Columns have none of their own.
_OWNER = {
    "table": "arwdDxt",
    "sequence": "rwU",
    "function": "X",
    "type": "U",
    "schema": "UC",
    "large object": "rw",
    "column": "",
    "none": "",
}
_PUBLIC = {"function": "X", "type": "U"}
_ITEM = re.compile(r'^(?P<grantee>"(?:[^"]|"")*"|[^=]*)=(?P<privileges>[^/]*)/(?P<grantor>.*)$')

Privileges = dict[str, dict[str, bool]]  # grantee -> privilege letter -> grant option


def _parse(items: tuple[str, ...]) -> tuple[Privileges, set[str], str | None]:
    """Privileges by grantee, the grantors, and the owner if an item shows it."""
    held: Privileges = {}
    grantors: set[str] = set()
    owner = None
    for item in items:
        match = _ITEM.match(item)
        if match is None:
            continue
        grantee, letters, grantor = match.group("grantee", "privileges", "grantor")
        grantee = grantee or "PUBLIC"
        mine = held.setdefault(grantee, {})
        for letter, star in re.findall(r"(\w)(\*?)", letters):
            mine[letter] = mine.get(letter, False) or bool(star)
        grantors.add(grantor)
        if grantee == grantor:
            owner = grantee
    return held, grantors, owner


def _default(kind: str, owner: str, owned: dict[str, bool] | None) -> Privileges:
    letters = _OWNER[kind]
    held: Privileges = {}
    if letters:
        # MAINTAIN (17+) and whatever a newer release adds: as the other side shows them.
        mine = {letter: False for letter in letters}
        mine.update({letter: False for letter in (owned or {}) if letter not in mine})
        held[owner] = mine
    if kind in _PUBLIC:
        held["PUBLIC"] = {_PUBLIC[kind]: False}
    return held


def grants(
    on: str,
    kind: str,
    old: Value,
    new: Value,
    *,
    prefix: str = "",
    column: str | None = None,
    owner: str | None = None,
) -> list[Statement]:
    """GRANT / REVOKE ``... ON <on>`` that give every grantee the privileges of ``old``.

    ``kind``: the object type whose default a NULL ACL stands for ("table", "sequence",
    "function", "type", "schema", "column"). ``prefix``: "ALTER DEFAULT PRIVILEGES ...".
    ``owner``: the owner, when known (else read off the other ACL).
    """
    old_items = old if isinstance(old, tuple) else None
    new_items = new if isinstance(new, tuple) else None
    before, before_grantors, before_owner = _parse(old_items or ())
    after, after_grantors, after_owner = _parse(new_items or ())
    if old_items is None or new_items is None:
        grantors = after_grantors if old_items is None else before_grantors
        found = owner or (after_owner if old_items is None else before_owner)
        if found is None and len(grantors) == 1:
            found = next(iter(grantors))
        if found is None:
            return [Note(f"privileges on {on}: set back to {old!r} (its owner is not known)")]
        other = after if old_items is None else before
        default = _default(kind, found, other.get(found))
        before, after = (default, after) if old_items is None else (before, default)
    return list(_statements(prefix, on, before, after, column))


def _statements(
    prefix: str, on: str, before: Privileges, after: Privileges, column: str | None
) -> Iterator[Statement]:
    def names(letters: list[str]) -> str:
        words = [_NAMES.get(letter, letter) for letter in letters]
        return ", ".join(f"{word} ({column})" if column else word for word in words)

    for grantee in sorted(before.keys() | after.keys()):
        had, has = before.get(grantee, {}), after.get(grantee, {})
        revoke = [letter for letter in has if letter not in had]
        ungrant = [letter for letter in has if letter in had and has[letter] and not had[letter]]
        grant = [letter for letter in had if letter not in has or (had[letter] and not has[letter])]
        if revoke:
            yield Sql(f"{prefix}REVOKE {names(revoke)} ON {on} FROM {grantee}")
        if ungrant:
            yield Sql(f"{prefix}REVOKE GRANT OPTION FOR {names(ungrant)} ON {on} FROM {grantee}")
        plain = [letter for letter in grant if not had[letter]]
        optioned = [letter for letter in grant if had[letter]]
        if plain:
            yield Sql(f"{prefix}GRANT {names(plain)} ON {on} TO {grantee}")
        if optioned:
            yield Sql(f"{prefix}GRANT {names(optioned)} ON {on} TO {grantee} WITH GRANT OPTION")
