"""Two readings of the same database's rows, compared: what the downgrade lost (MC601),
what a second upgrade did differently (MC602). Pure: no database.

Only what both readings have counts: tables of the same name and, in them, columns of the
same name. A table the upgrade created and the downgrade dropped (with its rows) is not
data lost, and a column's coming or going is a schema difference, reported elsewhere.
"""

from __future__ import annotations

import heapq
import json
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from operator import itemgetter
from typing import Any

from migcheck.rows.reading import Rows, Table, row_order, value_order

EXAMPLES = 3  # examples per line
TEXT_WIDTH = 30  # characters of a text or JSON value shown before "..."

Row = tuple[object, ...]


def differences(
    expected: Rows, actual: Rows, *, fills: bool = True, volatile: bool = True
) -> tuple[str, ...]:
    """One line per difference, tables in name order; () when the rows are the same.

    ``fills``: whether a value where ``expected`` has NULL counts, and a value of a column
    whose default is not immutable replaced by another (not when asking what a downgrade
    lost: a backfill it keeps, an updated_at a trigger refreshed, lose nothing).
    ``volatile``: whether columns whose default is not immutable count (not when asking
    whether a migration gives the same rows again: now() and gen_random_uuid() do not)."""
    lines: list[str] = []
    for old in sorted(expected.tables, key=lambda table: table.name):
        new = actual.get(old.name)
        if new is not None:
            lines.extend(_table(old, new, fills, volatile))
    return tuple(lines)


@dataclass(frozen=True, slots=True)
class _Shape:
    """What the two readings of a table have in common: how rows are compared."""

    name: str
    columns: tuple[str, ...]  # in both, in the expected reading's order
    key: tuple[int, ...]  # positions in `columns` of the key both share; () for none
    paired_by: tuple[int, ...]  # positions of the columns no sequence fills
    refreshed: tuple[int, ...] = ()  # positions of the columns whose default is volatile


def _shape(old: Table, new: Table, volatile: bool = True) -> _Shape:
    unrepeatable = () if volatile else (*old.volatile, *new.volatile)
    columns = tuple(c for c in old.columns if c in new.columns and c not in unrepeatable)
    shared_key = old.key if old.key == new.key and set(old.key) <= set(columns) else ()
    filled = set(old.generated) | set(new.generated)
    return _Shape(
        name=old.name,
        columns=columns,
        key=tuple(columns.index(column) for column in shared_key),
        paired_by=tuple(i for i, column in enumerate(columns) if column not in filled),
        refreshed=tuple(
            i for i, column in enumerate(columns) if column in (*old.volatile, *new.volatile)
        ),
    )


def _table(old: Table, new: Table, fills: bool, volatile: bool) -> list[str]:
    shape = _shape(old, new, volatile)
    old_rows = _project(old, shape.columns)
    new_rows = _project(new, shape.columns)
    if old_rows == new_rows:
        return []  # the usual case, decided at C speed
    old_entries = _entries(old_rows, len(shape.columns))
    new_entries = _entries(new_rows, len(shape.columns))
    changes: list[_Change] = []
    if shape.key:
        missing, added, changes = _by_key(shape, old_entries, new_entries, fills)
    else:
        # Without a key shared by both readings, a row is only its values.
        missing, added = _unmatched(old_entries, new_entries, None)
    if missing and added and len(shape.paired_by) < len(shape.columns):
        # A row deleted and inserted again took a new number from the sequence: pair
        # what is left by the values of the other columns.
        missing, added = _unmatched(missing, added, shape.paired_by)
    lines = []
    total = len(old.rows)
    # A truncated reading has rows it did not read: a row missing from it, or added
    # against it, may only lie beyond its limit.
    if missing and not new.truncated:
        listed = _rows(shape, [row for _, row in missing])
        lines.append(f"{shape.name}: {len(missing)} of {total} rows missing ({listed})")
    if added and not old.truncated:
        count = "1 row" if len(added) == 1 else f"{len(added)} rows"
        lines.append(f"{shape.name}: {count} added ({_rows(shape, [row for _, row in added])})")
    lines.extend(_column_lines(shape, changes, total))
    truncated = [len(table.rows) for table in (old, new) if table.truncated]
    if lines and truncated:
        lines.insert(0, f"{shape.name}: only the first {min(truncated)} rows compared")
    return lines


def _project(table: Table, columns: tuple[str, ...]) -> Sequence[Row]:
    if columns == table.columns:
        return table.rows
    positions = [table.columns.index(column) for column in columns]
    return tuple([tuple([row[i] for i in positions]) for row in table.rows])


# A row twice: hashable (its JSON arrays and objects frozen), to match; as read, to show.
_Entry = tuple[Row, Row]
# (old row, new row, position of the column) for one changed value, rows as read.
_Change = tuple[Row, Row, int]


def _entries(rows: Sequence[Row], width: int) -> list[_Entry]:
    # Only the columns that hold a JSON array or object somewhere need freezing: found
    # once per column, rather than trying hash() on every row.
    nested = [i for i in range(width) if _NESTED & set(map(type, map(itemgetter(i), rows)))]
    if not nested:
        return [(row, row) for row in rows]
    entries = []
    for row in rows:
        frozen = list(row)
        for i in nested:
            frozen[i] = _frozen(frozen[i])
        entries.append((tuple(frozen), row))
    return entries


_NESTED = frozenset((list, dict))


def _frozen(value: object) -> object:
    if isinstance(value, dict):
        return frozenset((key, _frozen(item)) for key, item in value.items())
    if isinstance(value, list):
        return tuple([_frozen(item) if type(item) in _NESTED else item for item in value])
    return value


def _getter(positions: tuple[int, ...] | None) -> Callable[[Row], Hashable]:
    """The values at ``positions`` of a hashable row (None: the whole row)."""
    if positions is None:
        return lambda row: row
    return itemgetter(*positions) if positions else lambda row: ()


def _by_key(
    shape: _Shape, old: list[_Entry], new: list[_Entry], fills: bool
) -> tuple[list[_Entry], list[_Entry], list[_Change]]:
    key_of = _getter(shape.key)
    new_by_key = {key_of(entry[0]): entry for entry in new}
    old_keys = set()
    missing: list[_Entry] = []
    changes: list[_Change] = []
    for entry in old:
        key = key_of(entry[0])
        old_keys.add(key)
        found = new_by_key.get(key)
        if found is None:
            missing.append(entry)
        elif found[0] != entry[0]:
            changes.extend(
                (entry[1], found[1], i)
                for i, (before, after) in enumerate(zip(entry[0], found[0], strict=True))
                if before != after
                and (fills or (before is not None and (after is None or i not in shape.refreshed)))
            )
    added = [entry for key, entry in new_by_key.items() if key not in old_keys]
    return missing, added, changes


def _unmatched(
    left: list[_Entry], right: list[_Entry], positions: tuple[int, ...] | None
) -> tuple[list[_Entry], list[_Entry]]:
    """Rows of ``left`` and of ``right`` left over when each row is paired with one of the
    other side that has the same values at ``positions`` (None: all of them)."""
    values_of = _getter(positions)
    waiting: defaultdict[Hashable, list[int]] = defaultdict(list)
    for index, entry in enumerate(right):
        waiting[values_of(entry[0])].append(index)
    left_over, paired = [], set()
    for entry in left:
        same = waiting.get(values_of(entry[0]))
        if same:
            paired.add(same.pop())
        else:
            left_over.append(entry)
    return left_over, [entry for index, entry in enumerate(right) if index not in paired]


def _order(shape: _Shape) -> Callable[[Row], tuple[Any, ...]]:
    """Rows in key order (without a key, by all their values): the order of examples."""
    if not shape.key:
        return row_order
    key = shape.key
    return lambda row: tuple(value_order(row[i]) for i in key)


def _column_lines(shape: _Shape, changes: list[_Change], total: int) -> Iterable[str]:
    by_column: defaultdict[int, list[_Change]] = defaultdict(list)
    for change in changes:
        by_column[change[2]].append(change)
    order = _order(shape)
    for position in sorted(by_column):
        found = by_column[position]
        where = f"{shape.name}.{shape.columns[position]}"
        if all(new[position] is None for _, new, _ in found):
            yield f"{where}: {len(found)} of {total} values lost (now NULL)"
            continue
        examples = [
            f"{_row_name(shape, old)}: {render(old[position])} -> {render(new[position])}"
            for old, new, _ in heapq.nsmallest(EXAMPLES, found, key=lambda c: order(c[0]))
        ]
        yield f"{where}: {len(found)} of {total} values changed ({_listed(examples, len(found))})"


def _rows(shape: _Shape, rows: list[Row]) -> str:
    first = heapq.nsmallest(EXAMPLES, rows, key=_order(shape))
    return _listed([_row_name(shape, row) for row in first], len(rows))


def _listed(examples: list[str], count: int) -> str:
    return ", ".join(examples + (["..."] if count > len(examples) else []))


def _row_name(shape: _Shape, row: Row) -> str:
    """``id=4`` by its key, ``(a=1, b='x')`` by a key of several columns, else the row."""
    shown = shape.key or tuple(range(len(shape.columns)))
    named = [f"{shape.columns[i]}={render(row[i])}" for i in shown]
    return named[0] if len(shape.key) == 1 else "(" + ", ".join(named) + ")"


def render(value: object) -> str:
    """``value`` as a SQL literal, long text and JSON cut short: ``'ann'``, ``12.50``,
    ``NULL``, ``true``, ``{"a":[1,2]}``."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | Decimal):
        return str(value)
    if isinstance(value, list | tuple | dict):
        return _cut(_json(value))
    return _quote(_cut(str(value)))


def _cut(text: str) -> str:
    return text if len(text) <= TEXT_WIDTH else text[:TEXT_WIDTH] + "..."


def _quote(text: str) -> str:
    # A difference is one line: a line break in a value is written as E'...' writes it.
    if any(ord(char) < 32 for char in text):
        escaped = text.replace("\\", "\\\\").replace("'", "\\'")
        escaped = "".join(c if ord(c) >= 32 else f"\\x{ord(c):02x}" for c in escaped)
        return f"E'{escaped}'"
    return "'" + text.replace("'", "''") + "'"


def _json(value: object) -> str:
    """Compact JSON; numbers as read (a Decimal keeps its digits)."""
    if isinstance(value, list | tuple):
        return "[" + ",".join(_json(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ",".join(f"{json.dumps(str(k))}:{_json(v)}" for k, v in value.items()) + "}"
    if isinstance(value, Decimal):
        return str(value)
    return json.dumps(value, default=str)
