"""What a fix sets back on one object, and the note for what it cannot."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

from migcheck.diff import object_name, render_value
from migcheck.fixes.sql import Note, Statement, Style
from migcheck.snapshot import Key, SchemaObject, Value


@dataclass(frozen=True, slots=True)
class Reverted:
    """What to set back on one object: attribute -> (value wanted, value now)."""

    key: Key
    values: Mapping[str, tuple[Value, Value]]
    materialized: bool = False  # a materialized view
    obj: SchemaObject | None = None  # the whole object, where known
    on_view: bool = False  # a column of a view: its type follows the view's definition
    # A view whose columns changed: dropped and made again (OR REPLACE keeps its columns).
    remade: bool = False

    def wanted(self, name: str) -> Value:
        return self.values[name][0]

    def now(self, name: str) -> Value:
        return self.values[name][1]


# Statements for the attributes of a Reverted it knows how to set back.
Handler = Callable[[Reverted, Style], Iterator[Statement]]


def by_hand(key: Key, name: str, value: Value, materialized: bool = False) -> Note:
    what = object_name(key)
    if materialized:
        what = what.replace("view ", "materialized view ", 1)
    return Note(f"{what}: set {name} back to {render_value(value)} by hand")
