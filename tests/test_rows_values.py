"""The seeder's pure parts: values spelt from numbers, hints read from checks, the rows one
table gets, and the order tables are filled in. No server."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from itertools import pairwise
from random import Random

import pytest

from migcheck.rows import values
from migcheck.rows.tables import Column, ForeignKey, Table, ValueType, order
from migcheck.rows.values import DEFAULT, Hints, Rows, hints, letters, literal

INT4 = ValueType("int4")
TEXT = ValueType("text")


def col(name: str, t: ValueType = INT4, **fields: object) -> Column:
    given: dict[str, object] = {"nullable": True, "fill": ""} | fields
    return Column(name, t, t.name, **given)  # type: ignore[arg-type]  # test shorthand


def table(oid: int, *columns: Column, keys: tuple[ForeignKey, ...] = ()) -> Table:
    return Table(oid, "public", f"t{oid}", columns, keys)


def key(
    name: str, columns: tuple[str, ...], target: int, *, deferrable: bool = False
) -> ForeignKey:
    return ForeignKey(name, columns, target, ("public", f"t{target}"), ("id",), deferrable)


def test_letters_are_distinct_and_never_a_number() -> None:
    spelt = [letters(s) for s in range(5000)]
    assert len(set(spelt)) == len(spelt)
    assert all(word.isalpha() for word in spelt)


@pytest.mark.parametrize("name", sorted(values._MAKERS))
def test_distinct_numbers_give_distinct_values(name: str) -> None:
    spelt = {literal(ValueType(name), s) for s in range(10_000, 10_040)}
    assert len(spelt) == {"bool": 2, "bit": 2, "char": 26}.get(name, 40)  # bit: bit(1)


def test_integers_stay_in_range() -> None:
    assert int(literal(ValueType("int2"), 10**6)) < 2**15
    assert int(literal(INT4, 2**40)) < 2**31
    assert literal(ValueType("int8"), 2**40) == str(2**40)


@pytest.mark.parametrize(
    ("typmod", "most"),
    [(5 * 65536 + 2 + 4, Decimal("999.99")), (3 * 65536 + 3 + 4, Decimal("0.999")), (-1, None)],
)
def test_numeric_values_fit_their_precision(typmod: int, most: Decimal | None) -> None:
    numbers = [Decimal(literal(ValueType("numeric", typmod), s)) for s in range(0, 10**7, 9973)]
    assert most is None or max(numbers) <= most
    assert len(set(numbers)) > len(numbers) // 2


def test_text_is_never_a_number_and_fits_its_length() -> None:
    assert literal(TEXT, 12345).startswith("migcheck-")
    short = [literal(ValueType("varchar", 3 + 4), s) for s in range(10_000, 10_100)]
    assert all(len(word) <= 3 and word.isalpha() for word in short)
    assert len(set(short)) == 100
    assert len(literal(ValueType("bpchar", 1 + 4), 7)) == 1


def test_ranges_are_never_empty_and_do_not_overlap() -> None:
    int4range = ValueType("range", element=INT4)
    bounds = []
    for s in range(100):
        low, high = literal(int4range, s).strip("[)").split(",")
        bounds.append((int(low.strip('"')), int(high.strip('"'))))
    assert all(low < high for low, high in bounds)
    assert all(a[1] <= b[0] for a, b in pairwise(bounds))
    multirange = ValueType("multirange", element=ValueType("date"))
    assert literal(multirange, 3) == '{["2000-01-25","2000-01-29")}'


def test_arrays_quote_their_elements_with_the_types_delimiter() -> None:
    assert literal(ValueType("array", element=INT4), 2) == '{"2","7921","15840"}'
    boxes = literal(ValueType("array", element=ValueType("box"), delimiter=";"), 1)
    assert boxes == '{"(2,1),(1,0)";"(7921,1),(7920,0)"}'
    assert literal(ValueType("array", element=ValueType("enum", labels=('a"b',))), 0) == (
        '{"a\\"b"}'
    )


def test_unknown_types_are_tried_as_text() -> None:
    citext = ValueType("unknown")
    assert literal(citext, 5).startswith("migcheck-")
    assert values.unknown(ValueType("array", element=citext))
    assert not values.unknown(ValueType("array", element=TEXT))


def test_hints_from_an_in_list_a_range_and_a_length() -> None:
    status = col(
        "status", TEXT, checks=(("c", "CHECK ((status = ANY (ARRAY['new'::text, 'paid'::text])))"),)
    )
    assert hints(status) == Hints(("new", "paid"))
    qty = col("qty", checks=(("q", "CHECK (((qty >= 1) AND (qty <= 100)))"),))
    assert hints(qty).between == (1, 100)
    assert {"0", "1", "2", "99", "100", "101"} <= set(hints(qty).others)
    code = col("code", TEXT, checks=(("l", "CHECK ((length(code) = 3))"),))
    assert hints(code) == Hints((), None, ("mig", "migc"))
    bound = "FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')"
    assert hints(col("d", ValueType("date"), checks=(("", bound),))) == Hints(
        ("2024-01-01",), None, ("2025-01-01",)
    )
    unequal = col("name", TEXT, checks=(("n", "CHECK ((name <> ''::text))"),))
    assert hints(unequal).likely == ()


def test_a_tables_rows_honour_not_null_defaults_and_distinct_columns() -> None:
    t = table(
        1,
        col("id", fill="never", nullable=False, distinct=True),
        col("code", TEXT, nullable=False, distinct=True),
        col("name", TEXT, nullable=False),
        col("note", TEXT),
        col("state", TEXT, nullable=False, fill="default"),
        col("flag", ValueType("bool"), fill="default"),
    )
    rows = Rows(t, Random("0/0001/t1"), 30, {})
    assert [c.name for c in rows.columns] == ["code", "name", "note", "flag"]
    made = [rows.row(i, 0) for i in range(30)]
    codes, names, notes, flags = zip(*made, strict=True)
    assert len(set(codes)) == 30
    assert None not in names
    assert len(set(names)) <= 10  # a pool of count // 3 values: duplicates, as in production
    assert 0 < notes.count(None) < 15
    assert flags.count(DEFAULT) > 10
    assert {f for f in flags if f is not DEFAULT} & {None, "true", "false"}
    again = Rows(t, Random("0/0001/t1"), 30, {})
    assert made == [again.row(i, 0) for i in range(30)]


def test_a_retry_changes_only_the_columns_named() -> None:
    t = table(1, col("a", nullable=False), col("b", nullable=False, checks=(("b", "b > 0"),)))
    rows = Rows(t, Random(1), 5, {})
    first = rows.row(0, 0)
    again = rows.row(0, 1, base=first, only={"b"})
    assert again[0] == first[0]
    assert again[1] != first[1]


def test_foreign_key_values_come_from_the_referenced_rows() -> None:
    parent = [("1",), ("2",), ("3",)]
    t = table(
        2,
        col("a_id", nullable=False),
        col("b_id"),
        col("c_id", nullable=False, distinct=True),
        col("d_id", nullable=False),
        keys=(key("a", ("a_id",), 1), key("b", ("b_id",), 1), key("c", ("c_id",), 1),
              key("d", ("d_id",), 2, deferrable=True)),
    )  # fmt: skip
    rows = Rows(t, Random(3), 3, {"a": parent, "b": [], "c": parent, "d": None})
    made = [rows.row(i, 0) for i in range(3)]
    assert {r[0] for r in made} <= {"1", "2", "3"}
    assert [r[1] for r in made] == [None, None, None]  # nothing to reference: NULL
    assert sorted(str(r[2]) for r in made) == ["1", "2", "3"]  # one-to-one: each parent once
    assert all(r[3] is not None for r in made)  # a placeholder until the key is set
    rows.bind("d", [("9",)])
    assert rows.reference(t.keys[3], 0) == ("9",)


def test_tables_are_filled_after_the_tables_they_reference() -> None:
    a = table(1, col("id"))
    b = table(2, col("a_id"), keys=(key("b_a", ("a_id",), 1),))
    c = table(3, col("b_id"), keys=(key("c_b", ("b_id",), 2),))
    assert order([c, b, a]) == ((a,), (b,), (c,))


def test_a_cycle_is_one_group_led_by_what_its_hard_keys_allow() -> None:
    # t1 -> t2 NOT NULL immediate (hard), t2 -> t1 nullable: t2 must come first.
    t1 = table(1, col("x", nullable=False), keys=(key("k1", ("x",), 2),))
    t2 = table(2, col("y"), keys=(key("k2", ("y",), 1),))
    assert order([t1, t2]) == ((t2, t1),)
    soft = replace(t1, keys=(key("k1", ("x",), 2, deferrable=True),))
    assert order([soft, t2]) == ((soft, t2),)
    selfish = table(3, col("parent"), keys=(key("k3", ("parent",), 3),))
    assert order([selfish]) == ((selfish,),)
