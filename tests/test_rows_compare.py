"""Rows read and compared: differences() on hand-built readings, read() on a real server."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import replace
from decimal import Decimal
from typing import Any

import psycopg
import pytest
from psycopg.rows import dict_row

from migcheck.provision import Server, scratch_database
from migcheck.rows.compare import differences, render
from migcheck.rows.filling import IMMUTABLE
from migcheck.rows.reading import Rows, Table, catalog, described, read, volatile
from migcheck.snapshot import Catalog

Row = tuple[object, ...]


def table(
    rows: list[Row],
    *,
    name: str = "users",
    columns: tuple[str, ...] = ("id", "name", "email"),
    key: tuple[str, ...] = ("id",),
    generated: tuple[str, ...] = ("id",),
    truncated: bool = False,
) -> Table:
    return Table(name, columns, key, generated, tuple(rows), truncated)


def reading(*tables: Table) -> Rows:
    return Rows(tuple(sorted(tables, key=lambda t: t.name)))


def people(count: int = 20) -> list[Row]:
    return [(i, f"user{i}", f"u{i}@example.com") for i in range(1, count + 1)]


# --------------------------------------------------------------------------- differences


def test_same_rows_have_no_difference() -> None:
    assert differences(reading(table(people())), reading(table(people()))) == ()
    assert differences(Rows(()), Rows(())) == ()


def test_rows_missing_by_primary_key() -> None:
    after = [row for row in people() if row[0] not in (4, 7, 9)]
    assert differences(reading(table(people())), reading(table(after))) == (
        "users: 3 of 20 rows missing (id=4, id=7, id=9)",
    )
    assert differences(reading(table(people())), reading(table([]))) == (
        "users: 20 of 20 rows missing (id=1, id=2, id=3, ...)",
    )


def test_rows_added() -> None:
    more = [(21, "x", None), (22, "y", None)]
    assert differences(reading(table(people())), reading(table(people() + more))) == (
        "users: 2 rows added (id=21, id=22)",
    )
    assert differences(reading(table(people())), reading(table(people() + more[:1]))) == (
        "users: 1 row added (id=21)",
    )


def test_values_lost() -> None:
    after = [(i, name, None) for i, name, _ in people()]
    assert differences(reading(table(people())), reading(table(after))) == (
        "users.email: 20 of 20 values lost (now NULL)",
    )


def test_values_filled_where_there_were_none_count_only_when_asked() -> None:
    """A backfill a downgrade keeps loses nothing (MC601 asks with fills=False); a second
    upgrade that fills other values than the first did is a difference (MC602)."""
    before = [(i, name, None) for i, name, _ in people()]
    assert differences(reading(table(before)), reading(table(people())), fills=False) == ()
    assert differences(reading(table(before)), reading(table(people()))) == (
        "users.email: 20 of 20 values changed (id=1: NULL -> 'u1@example.com', "
        "id=2: NULL -> 'u2@example.com', id=3: NULL -> 'u3@example.com', ...)",
    )


def test_a_refreshed_volatile_column_is_no_loss_but_a_lost_one_is() -> None:
    """What a downgrade lost (fills=False): an updated_at a trigger or default set anew is
    not lost; one now NULL is."""
    refreshed = [(i, name, f"later{i}") for i, name, _ in people()]
    emptied = [(i, name, None) for i, name, _ in people()]
    before = reading(replace(table(people()), volatile=("email",)))
    after = reading(replace(table(refreshed), volatile=("email",)))
    assert differences(before, after, fills=False) == ()
    lost = reading(replace(table(emptied), volatile=("email",)))
    assert differences(before, lost, fills=False) == (
        "users.email: 20 of 20 values lost (now NULL)",
    )


def test_columns_with_a_volatile_default_count_only_when_asked() -> None:
    """now() and gen_random_uuid() give other values each run: MC602 leaves them out."""
    changed = [(i, name, f"other{i}") for i, name, _ in people()]
    first = reading(replace(table(people()), volatile=("email",)))
    second = reading(replace(table(changed), volatile=("email",)))
    assert differences(first, second, volatile=False) == ()
    assert differences(first, second)[0].startswith("users.email: 20 of 20 values changed")


@pytest.mark.parametrize(
    ("default", "unrepeatable"),
    [
        ("now()", True),
        ("CURRENT_TIMESTAMP", True),
        ("(now() + '1 day'::interval)", True),
        ("'USER'::character varying", False),
        ("'f(x)'::text", False),
        ("'x'::character varying(20)", False),
        ("abs('-1'::integer)", False),
        ("nextval('s'::regclass)", False),
        ("('INV-'::text || nextval('s'::regclass))", False),
    ],
)
def test_volatile_reads_what_a_default_calls(default: str, unrepeatable: bool) -> None:
    assert volatile(default, {"abs"}) is unrepeatable


def test_values_changed_with_examples_in_key_order() -> None:
    before = [(i, name, None) for i, name in enumerate(["ann", "bob", "cy", "di", "ed", "fay"], 1)]
    after = [(i, name.upper() if i <= 5 else name, None) for i, name, _ in before]
    random.Random(1).shuffle(after)
    assert differences(reading(table(before)), reading(table(after))) == (
        "users.name: 5 of 6 values changed (id=1: 'ann' -> 'ANN', id=2: 'bob' -> 'BOB',"
        " id=3: 'cy' -> 'CY', ...)",
    )
    # Changed, some to NULL: not "lost", since not every changed value is NULL.
    after = [(1, None, None), (2, "BOB", None), *before[2:]]
    assert differences(reading(table(before)), reading(table(after))) == (
        "users.name: 2 of 6 values changed (id=1: 'ann' -> NULL, id=2: 'bob' -> 'BOB')",
    )


def test_lines_for_several_columns_and_tables_in_order() -> None:
    before = [
        table(people(), name="users"),
        table([(1, "a", "b")], name="billing.invoices", columns=("id", "x", "y")),
        table([(1, 2)], name="accounts", columns=("id", "n")),
    ]
    after = [
        table([(i, "N", None) for i, _, _ in people()[:19]], name="users"),
        table([(1, "a", "c"), (2, "d", "e")], name="billing.invoices", columns=("id", "x", "y")),
        table([], name="accounts", columns=("id", "n")),
    ]
    assert differences(reading(*before), reading(*after)) == (
        "accounts: 1 of 1 rows missing (id=1)",
        "billing.invoices: 1 row added (id=2)",
        "billing.invoices.y: 1 of 1 values changed (id=1: 'b' -> 'c')",
        "users: 1 of 20 rows missing (id=20)",
        "users.name: 19 of 20 values changed (id=1: 'user1' -> 'N', id=2: 'user2' -> 'N',"
        " id=3: 'user3' -> 'N', ...)",
        "users.email: 19 of 20 values lost (now NULL)",
    )


def test_composite_key_names_every_key_column() -> None:
    columns, key = ("a", "b", "v"), ("b", "a")
    before = table([(1, "x", 1), (2, "y", 2)], columns=columns, key=key, generated=())
    after = table([(1, "x", 5)], columns=columns, key=key, generated=())
    assert differences(reading(before), reading(after)) == (
        "users: 1 of 2 rows missing ((b='y', a=2))",
        "users.v: 1 of 2 values changed ((b='x', a=1): 1 -> 5)",
    )


def test_without_a_key_rows_are_a_multiset() -> None:
    columns = ("name", "n")
    before = table([("ann", 1), ("ann", 1), ("bob", 2)], columns=columns, key=(), generated=())
    after = table([("ann", 1), ("bob", 3)], columns=columns, key=(), generated=())
    # No per-column changes without a key: a changed row is one missing and one added.
    assert differences(reading(before), reading(after)) == (
        "users: 2 of 3 rows missing ((name='ann', n=1), (name='bob', n=2))",
        "users: 1 row added ((name='bob', n=3))",
    )
    shuffled = table([("bob", 2), ("ann", 1), ("ann", 1)], columns=columns, key=(), generated=())
    assert differences(reading(before), reading(shuffled)) == ()


def test_a_key_changed_between_readings_compares_whole_rows() -> None:
    before = table([(1, "a", "x")], key=("id",))
    after = table([(1, "a", "y")], key=("id", "name"))
    assert differences(reading(before), reading(after)) == (
        "users: 1 of 1 rows missing ((id=1, name='a', email='x'))",
        "users: 1 row added ((id=1, name='a', email='y'))",
    )


def test_a_row_inserted_again_with_a_new_sequence_number_is_the_same_row() -> None:
    # The upgrade inserted (3, 'admin'); the downgrade deleted it; the second upgrade
    # inserted it again, numbered 4 by the sequence.
    first = table([(1, "ann", None), (2, "bob", None), (3, "admin", "root@x")])
    second = table([(1, "ann", None), (2, "bob", None), (4, "admin", "root@x")])
    assert differences(reading(first), reading(second)) == ()
    # Not the same values: still a difference.
    other = table([(1, "ann", None), (2, "bob", None), (4, "admin", "other@x")])
    assert differences(reading(first), reading(other)) == (
        "users: 1 of 3 rows missing (id=3)",
        "users: 1 row added (id=4)",
    )
    # Without a key too (a serial column that is no primary key).
    keyless = reading(table(list(first.rows), key=()))
    assert differences(keyless, reading(table(list(second.rows), key=()))) == ()
    # Without a sequence-filled column, a new id is a new row.
    plain = table(list(first.rows), generated=())
    assert differences(reading(plain), reading(table(list(second.rows), generated=()))) == (
        "users: 1 of 3 rows missing (id=3)",
        "users: 1 row added (id=4)",
    )


def test_only_tables_and_columns_in_both_readings_count() -> None:
    created = table([(1, "x", "y")], name="audit")
    before = reading(table(people()))
    assert differences(before, reading(table(people()), created)) == ()
    assert differences(reading(table(people()), created), before) == ()
    # A column dropped (its values gone with it) or added: a schema difference.
    without_email = table([row[:2] for row in people()], columns=("id", "name"))
    assert differences(before, reading(without_email)) == ()
    added = table([(*row, 0) for row in people()], columns=("id", "name", "email", "n"))
    assert differences(before, reading(added)) == ()
    # Columns matched by name, not by position.
    moved = table([(e, i, n) for i, n, e in people()], columns=("email", "id", "name"))
    assert differences(before, reading(moved)) == ()


def test_truncated_readings() -> None:
    both = table(people(5), truncated=True)
    changed = table([(1, "x", "u1@example.com"), *people(5)[1:]], truncated=True)
    # No difference: nothing said about the limit either.
    assert differences(reading(both), reading(both)) == ()
    assert differences(reading(both), reading(changed)) == (
        "users: only the first 5 rows compared",
        "users.name: 1 of 5 values changed (id=1: 'user1' -> 'x')",
    )
    # Beyond a truncated reading's limit, a row may be there: not missing, not added.
    assert differences(reading(both), reading(table(people(6)[1:], truncated=True))) == ()
    # Against a complete reading, what it lacks is missing.
    assert differences(reading(both), reading(table(people(5)[1:]))) == (
        "users: only the first 5 rows compared",
        "users: 1 of 5 rows missing (id=1)",
    )


def test_differences_are_deterministic() -> None:
    before = [(i, f"n{i}", {"k": [i, None]}) for i in range(30)]
    after = [(i, f"n{i}", {"k": [i, True]}) for i in range(30) if i % 4]
    shuffled = after[:]
    random.Random(7).shuffle(shuffled)
    first = differences(reading(table(before)), reading(table(after)))
    assert first == differences(reading(table(before)), reading(table(shuffled)))
    assert first == (
        "users: 8 of 30 rows missing (id=0, id=4, id=8, ...)",
        'users.email: 22 of 30 values changed (id=1: {"k":[1,null]} -> {"k":[1,true]},'
        ' id=2: {"k":[2,null]} -> {"k":[2,true]}, id=3: {"k":[3,null]} -> {"k":[3,true]}, ...)',
    )


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (None, "NULL"),
        (True, "true"),
        (False, "false"),
        (42, "42"),
        (Decimal("12.50"), "12.50"),
        (1.5, "1.5"),
        ("it's", "'it''s'"),
        ("x" * 40, "'" + "x" * 30 + "...'"),
        ("a\nb", "E'a\\x0ab'"),
        ({"a": [1, Decimal("2.0")], "b": None}, '{"a":[1,2.0],"b":null}'),
        (["x" * 40], '["' + "x" * 28 + "..."),
        ([], "[]"),
    ],
)
def test_render(value: object, shown: str) -> None:
    assert render(value) == shown


def test_rows_get() -> None:
    found = reading(table([], name="b"), table([], name="a.c"), table([], name="c"))
    assert found.get("b") == table([], name="b")
    assert found.get("a.c") is not None
    assert found.get("a") is None
    assert found.get("zz") is None
    assert Rows(()).get("b") is None


# --------------------------------------------------------------------------- read


@pytest.fixture
def db(pg_server: Server) -> Iterator[psycopg.Connection[Any]]:
    with scratch_database(pg_server) as url, psycopg.connect(url, autocommit=True) as conn:
        yield conn


@pytest.mark.server
def test_values_round_trip_through_json(db: psycopg.Connection[Any]) -> None:
    db.execute("SET TIME ZONE 'UTC'")
    db.execute(
        """
        CREATE TABLE v (
            id bigint PRIMARY KEY, n numeric(10, 2), f float8, b boolean, s text, d date,
            ts timestamp, tz timestamptz, j json, jb jsonb, a int[], tags text[], by bytea,
            u uuid, t int, "Mixed Case" int, nn numeric
        )
        """
    )
    db.execute(
        """
        INSERT INTO v VALUES
          (1, 1.5, 0.25, true, 'it''s', '2024-02-29', '2024-01-02 03:04:05.123456',
           '2024-01-02 03:04:05+02', '{"b": [1, 2.50], "a": null}', '{"b": 1, "a": "x"}',
           '{1,NULL,3}', '{a,"b c"}', '\\x00ff', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 7, 8,
           1e-20),
          (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
           NULL, NULL, NULL),
          (9007199254740993, -0.10, 'NaN', false, '', '-infinity', NULL, NULL, '[]', '{}',
           '{}', '{}', '', NULL, NULL, NULL, 'NaN')
        """
    )
    (found,) = read(db).tables
    # A column called t: to_jsonb(t.*) still reads the whole row.
    assert found.columns == (
        *("id", "n", "f", "b", "s", "d", "ts", "tz", "j", "jb", "a", "tags", "by", "u", "t"),
        *("Mixed Case", "nn"),
    )
    assert found.rows == (
        (
            *(1, Decimal("1.50"), Decimal("0.25"), True, "it's", "2024-02-29"),
            *("2024-01-02T03:04:05.123456", "2024-01-02T01:04:05+00:00"),
            *({"a": None, "b": [1, Decimal("2.50")]}, {"a": "x", "b": 1}),
            *([1, None, 3], ["a", "b c"], "\\x00ff", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"),
            *(7, 8, Decimal("1E-20")),
        ),
        (2, *(None,) * 16),
        (
            *(9007199254740993, Decimal("-0.10"), "NaN", False, "", "-infinity", None, None),
            *([], {}, [], [], "\\x", None, None, None, "NaN"),
        ),
    )
    assert differences(read(db), read(db)) == ()


@pytest.mark.server
def test_which_tables_are_read(db: psycopg.Connection[Any]) -> None:
    db.execute(
        """
        CREATE SCHEMA billing;
        CREATE TABLE alembic_version (version_num varchar(32) PRIMARY KEY);
        CREATE TABLE billing.alembic_version (version_num varchar(32) PRIMARY KEY);
        INSERT INTO alembic_version VALUES ('abc');
        CREATE TABLE billing.invoices (id int PRIMARY KEY, total int);
        INSERT INTO billing.invoices VALUES (1, 10);
        CREATE TABLE events (id int, at date, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
        CREATE TABLE events_2024 PARTITION OF events
          FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
        CREATE TABLE events_2025 PARTITION OF events
          FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
        INSERT INTO events VALUES (1, '2024-06-01'), (2, '2025-06-01');
        CREATE TABLE animals (id int, name text);
        CREATE TABLE dogs (breed text) INHERITS (animals);
        INSERT INTO animals VALUES (1, 'generic');
        INSERT INTO dogs VALUES (2, 'rex', 'collie');
        CREATE VIEW names AS SELECT name FROM animals;
        CREATE TABLE owned (id int);
        INSERT INTO owned VALUES (1);
        CREATE TEMPORARY TABLE scratch (id int);
        """
    )
    # A table of an extension without installing one: plpgsql is in every database.
    db.execute("ALTER EXTENSION plpgsql ADD TABLE owned")
    found = read(db)
    assert [t.name for t in found.tables] == ["animals", "billing.invoices", "dogs", "events"]
    assert found.get("animals") == Table("animals", ("id", "name"), (), (), ((1, "generic"),))
    assert found.get("dogs") == Table(
        "dogs", ("id", "name", "breed"), (), (), ((2, "rex", "collie"),)
    )
    assert found.get("events") == Table(
        "events", ("id", "at"), ("id", "at"), (), ((1, "2024-06-01"), (2, "2025-06-01"))
    )
    assert found.get("billing.invoices") == Table(
        "billing.invoices", ("id", "total"), ("id",), (), ((1, 10),)
    )
    # Another version table name: the default one is a table like the others.
    assert [t.name for t in read(db, version_table="invoices").tables] == [
        "alembic_version",
        "animals",
        "billing.alembic_version",
        "dogs",
        "events",
    ]


@pytest.mark.server
def test_names_as_they_are(db: psycopg.Connection[Any]) -> None:
    # Quotes, a dot, a space, a % (the statement goes without parameters), not ASCII.
    name = '"Billing Dept"."50%_off ""x"""'
    db.execute('CREATE SCHEMA "Billing Dept"')
    db.execute(f'CREATE TABLE {name} ("%s" int PRIMARY KEY, "a.b" text, café text)')
    db.execute(f"INSERT INTO {name} VALUES (1, 'x', 'é')")
    assert read(db) == Rows(
        (Table('Billing Dept.50%_off "x"', ("%s", "a.b", "café"), ("%s",), (), ((1, "x", "é"),)),)
    )


@pytest.mark.server
def test_keys_and_sequence_filled_columns(db: psycopg.Connection[Any]) -> None:
    db.execute(
        """
        CREATE SEQUENCE numbers;
        CREATE TABLE t (
            a int GENERATED ALWAYS AS IDENTITY, b serial, c int DEFAULT nextval('numbers'),
            d bigint GENERATED BY DEFAULT AS IDENTITY, x int, e int DEFAULT 0,
            f int GENERATED ALWAYS AS (e + 1) STORED, g text,
            PRIMARY KEY (g, a)
        );
        ALTER TABLE t DROP COLUMN x;
        INSERT INTO t (g) VALUES ('x');
        """
    )
    (found,) = read(db).tables
    assert (found.columns, found.key, found.generated) == (
        ("a", "b", "c", "d", "e", "f", "g"),
        ("g", "a"),
        ("a", "b", "c", "d"),
    )
    assert found.rows == ((1, 1, 1, 1, 0, 1, "x"),)


@pytest.mark.server
def test_columns_whose_default_is_not_immutable(db: psycopg.Connection[Any]) -> None:
    """As PostgreSQL spells the defaults, with the functions the server has."""
    db.execute(
        """
        CREATE FUNCTION stable_answer() RETURNS int STABLE LANGUAGE sql AS 'SELECT 42';
        CREATE TABLE v (
            id serial PRIMARY KEY, at timestamptz DEFAULT now(),
            on_day date DEFAULT CURRENT_DATE, token uuid DEFAULT gen_random_uuid(),
            answer int DEFAULT stable_answer(), fixed int DEFAULT abs(-1), plain text,
            code varchar(20) DEFAULT 'x'::character varying, price numeric(10, 2) DEFAULT 0,
            tags text[] DEFAULT ARRAY[]::text[], later timestamptz DEFAULT now() + '1 day'
        )
        """
    )
    immutable = {name for (name,) in db.execute(IMMUTABLE)}
    defaults = db.execute(
        "SELECT a.attname, pg_get_expr(d.adbin, d.adrelid) FROM pg_attrdef AS d"
        " JOIN pg_attribute AS a ON a.attrelid = d.adrelid AND a.attnum = d.adnum"
        " WHERE d.adrelid = 'v'::regclass ORDER BY a.attnum"
    ).fetchall()
    assert [name for name, default in defaults if volatile(default, immutable)] == [
        "at",
        "on_day",
        "token",
        "answer",
        "later",
    ]


@pytest.mark.server
def test_limit_reads_the_first_rows_by_key(db: psycopg.Connection[Any]) -> None:
    db.execute(
        """
        CREATE TABLE k (id int PRIMARY KEY);
        INSERT INTO k SELECT g FROM generate_series(10, 1, -1) AS g;
        CREATE TABLE small (id int PRIMARY KEY);
        INSERT INTO small VALUES (1), (2), (3);
        CREATE TABLE bag (n int);
        INSERT INTO bag SELECT 1 FROM generate_series(1, 5);
        """
    )
    found = read(db, limit=3)
    assert found.get("k") == Table("k", ("id",), ("id",), (), ((1,), (2,), (3,)), truncated=True)
    assert found.get("small") == Table("small", ("id",), ("id",), (), ((1,), (2,), (3,)))
    assert found.get("bag") == Table("bag", ("n",), (), (), ((1,),) * 3, truncated=True)


@pytest.mark.server
def test_wide_tables_and_rows_without_a_key(db: psycopg.Connection[Any]) -> None:
    # More columns than json_build_array() takes arguments (100): rows come as objects.
    columns = ", ".join(f"c{i:03} int DEFAULT {i}" for i in range(101))
    db.execute(f"CREATE TABLE wide (id int PRIMARY KEY, {columns})")
    db.execute("INSERT INTO wide (id) VALUES (2), (1)")
    db.execute(
        "CREATE TABLE bag (n int, s text);"
        " INSERT INTO bag VALUES (2, 'b'), (NULL, 'z'), (1, 'a'), (10, 'a')"
    )
    found = read(db)
    wide = found.get("wide")
    assert wide is not None
    assert wide.columns == ("id", *(f"c{i:03}" for i in range(101)))
    assert wide.rows == ((1, *range(101)), (2, *range(101)))
    # Without a key: sorted by value (NULL first, numbers as numbers).
    assert found.get("bag") == Table(
        "bag", ("n", "s"), (), (), ((None, "z"), (1, "a"), (2, "b"), (10, "a"))
    )


class _Counting(psycopg.Cursor[Any]):
    executed = 0

    def execute(self, *args: Any, **kwargs: Any) -> Any:
        _Counting.executed += 1
        return super().execute(*args, **kwargs)


@pytest.mark.server
def test_a_reading_is_two_queries_whatever_the_tables(db: psycopg.Connection[Any]) -> None:
    db.cursor_factory = _Counting
    _Counting.executed = 0
    assert read(db) == Rows(())
    assert _Counting.executed == 1
    for i in range(50):
        db.execute(f"CREATE TABLE t{i:02} (id serial PRIMARY KEY, name text, n numeric)")
        db.execute(
            f"INSERT INTO t{i:02} (name, n) SELECT 'x' || g, g / 3.0"
            " FROM generate_series(1, 20) AS g"
        )
    _Counting.executed = 0
    found = read(db)
    assert _Counting.executed == 2
    assert [len(t.rows) for t in found.tables] == [20] * 50


@pytest.mark.server
def test_any_row_factory(pg_server: Server) -> None:
    with scratch_database(pg_server) as url, psycopg.connect(url, row_factory=dict_row) as conn:
        conn.execute("CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t VALUES (1)")
        assert read(conn) == Rows((Table("t", ("id",), ("id",), (), ((1,),)),))


@pytest.mark.server
def test_end_to_end(db: psycopg.Connection[Any]) -> None:
    db.execute(
        """
        CREATE TABLE users (id serial PRIMARY KEY, name text, email text, score numeric(5, 1));
        INSERT INTO users (name, email, score)
          SELECT 'user' || g, 'u' || g || '@example.com', g FROM generate_series(1, 20) AS g;
        CREATE TABLE tags (label text, n int);
        INSERT INTO tags VALUES ('a', 1), ('b', 2);
        CREATE TABLE settings (id serial PRIMARY KEY, key text, value text);
        INSERT INTO settings (key, value) VALUES ('theme', 'dark'), ('lang', 'en');
        """
    )
    before = read(db)
    db.execute(
        """
        UPDATE users SET name = upper(name) WHERE id <= 5;
        DELETE FROM users WHERE id IN (4, 7, 9);
        ALTER TABLE users DROP COLUMN email, ADD COLUMN email text, DROP COLUMN score;
        INSERT INTO users (name) VALUES ('new');
        UPDATE tags SET n = 3 WHERE label = 'b';
        -- deleted and inserted again: a new id from the sequence, the same row
        DELETE FROM settings WHERE key = 'theme';
        INSERT INTO settings (key, value) VALUES ('theme', 'dark');
        """
    )
    after = read(db)
    assert differences(before, after) == (
        "tags: 1 of 2 rows missing ((label='b', n=2))",
        "tags: 1 row added ((label='b', n=3))",
        "users: 3 of 20 rows missing (id=4, id=7, id=9)",
        "users: 1 row added (id=21)",
        "users.name: 4 of 20 values changed (id=1: 'user1' -> 'USER1', id=2: 'user2' -> 'USER2',"
        " id=3: 'user3' -> 'USER3', ...)",
        "users.email: 17 of 20 values lost (now NULL)",
    )
    assert differences(after, read(db)) == ()


@pytest.mark.server
def test_the_tables_described_from_a_snapshot_are_the_catalogs(
    db: psycopg.Connection[Any],
) -> None:
    """The walk reads the tables of a schema it has a snapshot of from the snapshot: the
    same tables, columns, keys and sequence-filled columns as the catalog query's."""
    db.execute(
        """
        CREATE SCHEMA "Billing";
        CREATE TABLE "Billing"."Odd name" (id serial, "We""ird" int, n text,
                                              PRIMARY KEY ("We""ird", id));
        CREATE TABLE p (k int PRIMARY KEY, v text) PARTITION BY RANGE (k);
        CREATE TABLE p1 PARTITION OF p FOR VALUES FROM (1) TO (10);
        CREATE TABLE parent (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, at timestamptz);
        CREATE TABLE child (extra int) INHERITS (parent);
        CREATE TABLE bag (n int DEFAULT 0, m int);
        ALTER TABLE bag DROP COLUMN n;
        CREATE TABLE alembic_version (version_num varchar(32) PRIMARY KEY);
        """
    )
    immutable = {name for (name,) in db.execute(IMMUTABLE)}
    found = described(Catalog(db).take(), immutable)
    assert [replace(table, volatile=()) for table in found] == list(
        catalog(db, version_table="alembic_version")
    )
