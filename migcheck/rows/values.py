"""Values for generated rows, as text literals that the INSERT casts to each column's type.

``literal`` spells a value of a type from a number (pure); ``hints`` reads the values a
column's checks and partition bounds name; ``Rows`` draws one table's rows with the
table's own random generator, so that the same seed, revision and table give the same
rows."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from enum import Enum
from random import Random

from migcheck.rows.tables import Column, ForeignKey, Table, ValueType


class Default(Enum):
    DEFAULT = "DEFAULT"


DEFAULT = Default.DEFAULT
Cell = str | Default | None  # a text literal, the column's default, or NULL

NULL_SHARE = 0.25  # of the rows of a nullable column (or key) without default
DEFAULT_SHARE = 0.6  # of the rows of a nullable column with a default; NOT NULL: all
# Numbers for values that may repeat: far above the ids that sequences give generated
# rows, so that a foreign key added later over such a column finds orphans.
WIDE = (10_000, 1_000_000)
# Where the numbers of a column a sequence fills start: above the ids data migrations
# write themselves and the sequence gives during a walk, within a smallint.
NUMBERED = (10_000, 20_000)
_EPOCH = datetime(2000, 1, 1)
_UUID_SPREAD = 0x9E3779B97F4A7C15F39CC0605CEDC835  # odd: s -> s * it mod 2**128 is 1-to-1

NUMBERS = frozenset({"int2", "int4", "int8", "oid", "numeric", "float4", "float8", "money"})
TEXTS = frozenset({"text", "varchar", "bpchar", "name", "char", "citext", "unknown"})


def letters(s: int) -> str:
    """``s`` in base 26, spelt with letters: text that no cast to a number accepts."""
    word = ""
    while True:
        s, digit = divmod(s, 26)
        word = chr(97 + digit) + word
        if not s:
            return word


def _text(s: int, typmod: int) -> str:
    word = f"migcheck-{letters(s)}"
    room = typmod - 4  # varchar(n) and char(n) keep n + 4
    return word if typmod < 0 or len(word) <= room else letters(s % 26 ** max(room, 1))


def _numeric(s: int, typmod: int) -> str:
    if typmod < 4:
        return f"{s}.{s * 37 % 100:02d}"
    precision, scale = (typmod - 4) >> 16, (typmod - 4) & 0x7FF
    scale = 0 if scale > 0x3FF else scale  # a negative scale (PostgreSQL 15+) only rounds
    room = 10 ** (precision - scale)
    if s < room:  # whole units while they fit: small numbers stay small
        return f"{s}.{s * 37 % 10**scale:0{scale}d}" if scale else str(s)
    units = s % 10**precision
    return f"{units // 10**scale}.{units % 10**scale:0{scale}d}" if scale else str(units)


def _bits(s: int, typmod: int) -> str:
    width = max(typmod, 1)
    return format(s % 2**width, f"0{width}b")


def _stamp(s: int) -> str:
    return (_EPOCH + timedelta(minutes=s % 15_000_000)).isoformat(" ")


def _clock(s: int) -> str:
    return f"{s // 3600 % 24:02d}:{s // 60 % 60:02d}:{s % 60:02d}"


# A larger s gives a larger value (until a type's room wraps it): ranges rely on it.
_MAKERS: dict[str, Callable[[int, int], str]] = {
    "int2": lambda s, _: str(s % 32768),
    "int4": lambda s, _: str(s % 2**31),
    "int8": lambda s, _: str(s),
    "oid": lambda s, _: str(s % 2**32),
    "numeric": _numeric,
    "float4": lambda s, _: f"{s}.5",
    "float8": lambda s, _: f"{s}.5",
    "money": lambda s, _: f"{s % 10**9}.{s % 100:02d}",
    "bool": lambda s, _: "true" if s % 2 else "false",
    "json": lambda s, _: f'{{"migcheck": {s}}}',
    "jsonb": lambda s, _: f'{{"migcheck": {s}}}',
    "uuid": lambda s, _: str(uuid.UUID(int=s * _UUID_SPREAD % 2**128)),
    "date": lambda s, _: (date(2000, 1, 1) + timedelta(days=s % 10_950)).isoformat(),
    "time": lambda s, _: _clock(s),
    "timetz": lambda s, _: f"{_clock(s)}+00",
    "timestamp": lambda s, _: _stamp(s),
    "timestamptz": lambda s, _: f"{_stamp(s)}+00",
    "interval": lambda s, _: f"{s} minutes",
    "inet": lambda s, _: f"10.{s >> 16 & 255}.{s >> 8 & 255}.{s & 255}",
    "cidr": lambda s, _: f"10.{s >> 8 & 255}.{s & 255}.0/24",
    "macaddr": lambda s, _: "08:00:2b:" + (s % 2**24).to_bytes(3, "big").hex(":"),
    "macaddr8": lambda s, _: "08:00:2b:ff:" + (s % 2**32).to_bytes(4, "big").hex(":"),
    "bytea": lambda s, _: "\\x" + (s % 2**64).to_bytes(8, "big").hex(),
    "bit": _bits,
    "varbit": lambda s, typmod: format(s, "b")[-typmod:] if typmod > 0 else format(s, "b"),
    "tsvector": lambda s, _: f"migcheck {letters(s)}",
    "tsquery": lambda s, _: f"migcheck & {letters(s)}",
    "xml": lambda s, _: f'<migcheck n="{s}"/>',
    "jsonpath": lambda s, _: f"$.migcheck{s}",
    "pg_lsn": lambda s, _: f"0/{s:X}",
    "point": lambda s, _: f"({s},{s % 7})",
    "line": lambda s, _: f"{{1,-1,{s}}}",
    "lseg": lambda s, _: f"[({s},0),({s + 1},1)]",
    "box": lambda s, _: f"({s + 1},1),({s},0)",
    "path": lambda s, _: f"[({s},0),({s + 1},1),({s + 2},0)]",
    "polygon": lambda s, _: f"(({s},0),({s + 1},1),({s + 2},0))",
    "circle": lambda s, _: f"<({s},0),1>",
    "char": lambda s, _: letters(s % 26),
}


def literal(t: ValueType, s: int) -> str:
    """A value of ``t`` spelt from ``s`` >= 0: different numbers give different values
    as far as the type has room. Text is never a number; ranges are never empty (and
    distinct numbers give ranges that do not overlap, for exclusion constraints)."""
    if t.element is not None and t.name == "array":
        items = (literal(t.element, s + k * 7919) for k in range(1 + s % 3))
        return "{" + t.delimiter.join(_quoted(item) for item in items) + "}"
    if t.element is not None and t.name in ("range", "multirange"):
        low = 8 * (s % 1_000_000)
        bounds = (literal(t.element, low), literal(t.element, low + 1 + s % 7))
        spelt = "[{},{})".format(*map(_quoted, bounds))
        return spelt if t.name == "range" else "{" + spelt + "}"
    if t.name == "enum":
        return t.labels[s % len(t.labels)] if t.labels else ""
    make = _MAKERS.get(t.name)
    return make(s, t.typmod) if make else _text(s, t.typmod)


def _quoted(item: str) -> str:
    return '"' + item.replace("\\", "\\\\").replace('"', '\\"') + '"'


def unknown(t: ValueType) -> bool:
    """Whether ``t`` is, or is made of, a type migcheck only tries text on."""
    return t.name == "unknown" or (t.element is not None and unknown(t.element))


@dataclass(frozen=True, slots=True)
class Hints:
    """Values a column's checks name: ``likely`` to try first (the strings of an IN list,
    a partition's lower bound; ``between`` two numbers); ``others`` when those fail."""

    likely: tuple[str, ...] = ()
    between: tuple[int, int] | None = None
    others: tuple[str, ...] = ()


_STRING = re.compile(r"'((?:[^']|'')*)'")
_NUMBER = re.compile(r"(?<![\w.$])-?\d+(?:\.\d+)?(?![\w.])")
# What comes before a string that a row is likely to have to equal: an IN list's
# (ANY (ARRAY['a'::text, 'b'::text])), an equality, a partition's FROM or IN.
_BEFORE_LIKELY = re.compile(r"(?:\[|, |(?<!TO )\(|(?<![<>!])= )$")


def hints(column: Column) -> Hints:
    likely: list[str] = []
    others: list[str] = []
    numbers: set[Decimal] = set()
    for _, definition in column.checks:
        for found in _STRING.finditer(definition):
            value = found.group(1).replace("''", "'")
            likely_one = _BEFORE_LIKELY.search(definition[: found.start()]) is not None
            (likely if likely_one else others).append(value)
            numbers.update(_decimals([value]))
        numbers.update(_decimals(_NUMBER.findall(_STRING.sub("''", definition))))
    name = column.type.name
    if name in NUMBERS:
        spread = sorted({n + d for n in numbers for d in (-1, 0, 1)})
        low, high = (int(min(numbers)), int(max(numbers))) if numbers else (0, 0)
        between = (low, high) if high - low >= 2 else None
        return Hints((), between, tuple(dict.fromkeys((*others, *likely, *map(str, spread)))))
    if name == "enum":
        likely = [v for v in likely if v in column.type.labels]
    if name in TEXTS:  # checks on a length: text of that length, and one longer
        lengths = (int(n) + d for n in sorted(numbers) if 0 <= n <= 64 for d in (0, 1))
        others += [("migcheck" * 9)[:length] for length in lengths]
    return Hints(tuple(dict.fromkeys(likely)), None, tuple(dict.fromkeys(others)))


def _decimals(texts: Sequence[str]) -> list[Decimal]:
    found = []
    for text in texts:
        try:
            number = Decimal(text)
        except InvalidOperation:
            continue
        if number.is_finite() and abs(number) < 10**15:
            found.append(number)
    return found


Keys = Mapping[str, Sequence[tuple[str, ...]] | None]


class Rows:
    """The rows generated for one table, drawn from ``rng`` in the order asked.

    ``keys``: for each foreign key, the key tuples its rows may take (empty: NULL), or
    None when the referenced rows come later (NULL now, or a placeholder where NULL is
    not allowed and the key is deferred). ``unusable``: columns of a type that takes no
    text, left to their default or NULL."""

    def __init__(
        self, table: Table, rng: Random, count: int, keys: Keys, unusable: Collection[str] = ()
    ) -> None:
        self.table, self.rng, self.count = table, rng, count
        self._keys = dict(keys)
        self._unusable = frozenset(unusable)
        in_keys = {name for key in table.keys for name in key.columns}
        # A NOT NULL column with a default that need not be distinct always gets it.
        self.columns = tuple(
            c
            for c in table.columns
            if c.fill != "never"
            and (c.fill != "default" or c.nullable or c.distinct or c.name in in_keys)
        )
        self._by_name = {c.name: c for c in table.columns}
        self._hints = {c.name: hints(c) for c in self.columns}
        size = max(2, count // 3)
        self._pools = {
            c.name: [literal(c.type, rng.randrange(*WIDE)) for _ in range(size)]
            for c in self.columns
            if not c.distinct
        }
        self._offsets = {
            c.name: rng.randrange(*(NUMBERED if c.fill == "numbered" else WIDE))
            for c in self.columns
            if c.distinct
        }
        self._shuffled: dict[str, list[tuple[str, ...]]] = {}

    def row(
        self,
        index: int,
        attempt: int,
        *,
        base: Sequence[Cell] = (),
        only: Collection[str] | None = None,
    ) -> tuple[Cell, ...]:
        """Row ``index`` (0 to count - 1); ``attempt`` > 0: other values after ``base``
        failed, for the columns ``only`` names (None: all)."""
        cells = dict(zip([c.name for c in self.columns], base, strict=False))
        if only is not None:
            cells = {name: cell for name, cell in cells.items() if name not in only}
        else:
            cells.clear()
        for key in self.table.keys:
            if all(name in cells for name in key.columns):
                continue
            if key.name in self._keys and self._keys[key.name] is None:  # referenced later
                columns = [self._by_name[name] for name in key.columns]
                chosen = tuple(
                    None if c.nullable else self._draw(c, index, attempt) for c in columns
                )
            else:
                chosen = self.reference(key, index + attempt * self.count)
            cells.update(zip(key.columns, chosen, strict=True))
        return tuple(
            cells[c.name] if c.name in cells else self._cell(c, index, attempt)
            for c in self.columns
        )

    def bind(self, key: str, found: Sequence[tuple[str, ...]]) -> None:
        """The key tuples of ``key``'s referenced table, once it has rows."""
        self._keys[key] = found
        self._shuffled.pop(key, None)

    def reference(self, key: ForeignKey, index: int) -> tuple[str | None, ...]:
        """The key tuple row ``index`` takes: NULLs in some rows where allowed, each tuple
        at most once where the key's columns are distinct (a one-to-one reference)."""
        found = self._keys.get(key.name)
        columns = [self._by_name[name] for name in key.columns]
        nullable = all(c.nullable for c in columns)
        if not found or (nullable and self.rng.random() < NULL_SHARE):
            return (None,) * len(key.columns)
        if not any(c.distinct for c in columns):
            return self.rng.choice(found)
        if key.name not in self._shuffled:
            self._shuffled[key.name] = self.rng.sample(list(found), len(found))
        shuffled = self._shuffled[key.name]
        return shuffled[index % len(shuffled)]

    def _cell(self, column: Column, index: int, attempt: int) -> Cell:
        if column.name in self._unusable:
            return DEFAULT if column.fill == "default" else None
        share = self.rng.random()
        if column.fill == "default" and not column.distinct:
            # Left to the server in most rows; some rows without it, as old rows have.
            if share < DEFAULT_SHARE:
                return DEFAULT
            return None if share < 0.75 else self._draw(column, index, attempt)
        if column.nullable and share < NULL_SHARE and column.fill != "numbered":
            return None
        return self._draw(column, index, attempt)

    def _draw(self, column: Column, index: int, attempt: int) -> str:
        found = self._hints[column.name]
        rng = self.rng
        offset = self._offsets.get(column.name, 0)
        if attempt:  # each value the checks name in turn, then a new or a small value
            tried = [*found.likely, *found.others]
            if found.between:
                tried.append(str(rng.randint(*found.between)))
            pick = (index + attempt - 1) % (len(tried) + 1)
            if pick < len(tried):
                return tried[pick]
            if column.distinct:
                return literal(column.type, offset + attempt * self.count + index)
            return literal(column.type, rng.randint(1, 10 * attempt))
        if found.likely:
            if column.distinct:
                return found.likely[index % len(found.likely)]
            return rng.choice(found.likely)
        if found.between:
            low, high = found.between
            if column.distinct:
                return str(low + 1 + (offset + index) % (high - low - 1))
            return str(rng.randint(low + 1, high - 1))
        if column.distinct:
            return literal(column.type, offset + index)
        return rng.choice(self._pools[column.name])
