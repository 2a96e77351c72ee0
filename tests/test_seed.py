"""Generated rows on a real PostgreSQL: every type, keys, checks, cycles, partitions, and
the rule that decides which tables get rows at each fill."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from typing import Any

import psycopg
import pytest
from psycopg import errors, sql

from migcheck import provision
from migcheck.provision import Server
from migcheck.rows.seed import Filled, Seeder, Skipped

pytestmark = pytest.mark.server

ROWS = 10
Connection = psycopg.Connection[tuple[Any, ...]]

EVERY_TYPE = [
    "smallint", "integer", "bigint", "numeric", "numeric(5,2)", "numeric(3,3)", "real",
    "double precision", "money", "text", "varchar(4)", "char(3)", "boolean", "json", "jsonb",
    "uuid", "date", "time", "timetz", "timestamp", "timestamptz", "timestamp(0)", "interval",
    "inet", "cidr", "macaddr", "macaddr8", "bytea", "bit(5)", "varbit(3)", "int4range",
    "int8range", "numrange", "daterange", "tsrange", "tstzrange", "int4multirange",
    "int8multirange", "nummultirange", "datemultirange", "tsmultirange", "tstzmultirange",
    "tsvector", "xml", "point", "line", "lseg", "box", "path", "polygon", "circle", "mood",
    "positive", "integer[]", "text[]", "varchar(2)[]", "numeric(4,2)[]", "uuid[]", "box[]",
    "tstzrange[]", "mood[]", "positive[]",
]  # fmt: skip
TYPES = """
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE DOMAIN positive AS integer CHECK (VALUE > 0);
"""


@pytest.fixture(scope="module")
def database(pg_server: Server) -> Iterator[str]:
    with provision.scratch_database(pg_server) as url:
        yield url


@pytest.fixture
def db(database: str) -> Iterator[Connection]:
    """The module's database, emptied after each test (its schemas dropped)."""
    with psycopg.connect(database, autocommit=True) as connection:
        yield connection
        schemas = connection.execute(
            "SELECT nspname FROM pg_namespace"
            " WHERE nspname !~ '^pg_' AND nspname <> 'information_schema'"
        ).fetchall()
        for (schema,) in schemas:
            connection.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))
        connection.execute("CREATE SCHEMA public")


def fill(
    db: Connection, ddl: str, *, rows: int = ROWS, leave: Collection[str] = ()
) -> tuple[Seeder, Filled]:
    db.execute(ddl)
    seeder = Seeder(rows, 0)
    return seeder, seeder.fill(db, "0001", leave=leave)


def column(db: Connection, query: str) -> list[Any]:
    return [row[0] for row in db.execute(query).fetchall()]


def count(db: Connection, table: str) -> int:
    return int(column(db, f"SELECT count(*) FROM {table}")[0])


def test_every_type_and_arrays_get_values(db: Connection) -> None:
    columns = ", ".join(f"c{i} {t} NOT NULL" for i, t in enumerate(EVERY_TYPE))
    nullable = ", ".join(f"c{i} {t}" for i, t in enumerate(EVERY_TYPE))
    ddl = f"{TYPES} CREATE TABLE every ({columns}); CREATE TABLE maybe ({nullable})"
    _, filled = fill(db, ddl, rows=12)
    assert filled == Filled((("every", 12), ("maybe", 12)), ())
    ranges = [f"c{i}" for i, t in enumerate(EVERY_TYPE) if t.endswith("range")]
    assert column(db, f"SELECT bool_and(NOT isempty({ranges[0]})) FROM every") == [True]
    assert column(db, "SELECT max(length(c10)) <= 4 FROM every") == [True]
    # Nullable columns without default: NULL in some rows, values in the rest.
    assert column(db, "SELECT count(*) FILTER (WHERE c9 IS NULL) FROM maybe")[0] in range(1, 12)


def test_nulls_defaults_identity_and_generated_columns(db: Connection) -> None:
    _, filled = fill(
        db,
        """CREATE TABLE accounts (
             id serial PRIMARY KEY,
             uid bigint GENERATED ALWAYS AS IDENTITY,
             name text NOT NULL,
             nickname text,
             status text NOT NULL DEFAULT 'active',
             note text DEFAULT 'none',
             doubled integer GENERATED ALWAYS AS (id * 2) STORED)""",
        rows=20,
    )
    assert filled == Filled((("accounts", 20),), ())
    # Numbers of migcheck's own, not the sequences': a data migration inserting ids 1, 2,
    # 3 does not collide with them, and the sequences stay where migrations expect them.
    for name in ("id", "uid"):
        numbers = column(db, f"SELECT {name} FROM accounts ORDER BY {name}")
        assert len(set(numbers)) == 20
        assert all(10_000 <= n < 32_768 for n in numbers)
    assert column(db, "SELECT nextval('accounts_id_seq')") == [1]
    assert column(db, "SELECT nextval('accounts_uid_seq')") == [1]
    assert column(db, "SELECT DISTINCT status FROM accounts") == ["active"]
    assert column(db, "SELECT bool_and(doubled = id * 2) FROM accounts") == [True]
    nicknames = column(db, "SELECT nickname FROM accounts")
    assert None in nicknames
    assert all(n.startswith("migcheck-") for n in nicknames if n is not None)
    assert len([n for n in nicknames if n is not None]) > 10
    notes = column(db, "SELECT note FROM accounts")
    assert notes.count("none") > 10
    assert set(notes) - {"none"}  # NULL or a value in some rows
    # The next row a migration inserts through the sequence does not collide.
    assert column(db, "INSERT INTO accounts (name) VALUES ('x') RETURNING id") == [2]


def test_keys_are_distinct_also_from_rows_already_there(db: Connection) -> None:
    seeder, filled = fill(
        db,
        """CREATE TABLE people (
             code integer PRIMARY KEY,
             email text NOT NULL,
             handle varchar(3) UNIQUE,
             a smallint NOT NULL, b boolean NOT NULL, UNIQUE (a, b),
             slot smallint NOT NULL);
           CREATE UNIQUE INDEX ON people (lower(email));
           CREATE UNIQUE INDEX ON people (slot) WHERE slot > 0;
           CREATE TABLE rooms (during tstzrange NOT NULL, EXCLUDE USING gist (during WITH &&))""",
    )
    assert filled == Filled((("people", ROWS), ("rooms", ROWS)), ())
    db.execute("ALTER TABLE people ADD COLUMN extra text")
    assert seeder.fill(db, "0002") == Filled((("people", ROWS),), ())
    assert count(db, "people") == 2 * ROWS
    for key in ("code", "lower(email)", "handle", "(a, b)", "slot"):
        distinct = column(db, f"SELECT count(DISTINCT {key}) FROM people WHERE {key} IS NOT NULL")
        present = column(db, f"SELECT count({key}) FROM people")
        assert distinct == present, key


def test_non_unique_columns_have_what_production_data_has(db: Connection) -> None:
    fill(
        db,
        """CREATE TABLE owners (id serial PRIMARY KEY);
           CREATE TABLE items (id serial PRIMARY KEY, name text NOT NULL, qty integer NOT NULL,
                               owner_id integer)""",
    )
    for change, error in [
        ("CREATE UNIQUE INDEX ON items (name)", errors.UniqueViolation),
        ("ALTER TABLE items ALTER name TYPE integer USING name::integer",
         errors.InvalidTextRepresentation),
        ("ALTER TABLE items ADD FOREIGN KEY (qty) REFERENCES owners", errors.ForeignKeyViolation),
        ("ALTER TABLE items ALTER owner_id SET NOT NULL", errors.NotNullViolation),
        ("ALTER TABLE items ADD COLUMN required text NOT NULL", errors.NotNullViolation),
    ]:  # fmt: skip
        with pytest.raises(error):
            db.execute(change)


def test_foreign_keys_are_filled_in_dependency_order(db: Connection) -> None:
    _, filled = fill(
        db,
        """CREATE SCHEMA billing;
           CREATE TABLE c_customers (id serial PRIMARY KEY);
           CREATE TABLE b_orders (id serial PRIMARY KEY,
                                  customer_id integer NOT NULL REFERENCES c_customers);
           CREATE TABLE billing.a_lines (order_id integer REFERENCES b_orders, line_no integer,
                                         PRIMARY KEY (order_id, line_no));
           CREATE TABLE billing.d_notes (id serial, order_id integer NOT NULL,
                                         line_no integer NOT NULL,
                                         FOREIGN KEY (order_id, line_no)
                                           REFERENCES billing.a_lines)""",
    )
    assert filled == Filled(
        (("c_customers", ROWS), ("b_orders", ROWS), ("billing.a_lines", ROWS),
         ("billing.d_notes", ROWS)),
        (),
    )  # fmt: skip
    assert len(set(column(db, "SELECT customer_id FROM b_orders"))) < ROWS  # references repeat
    orphans = """SELECT count(*) FROM billing.d_notes AS d
                 WHERE NOT EXISTS (SELECT FROM billing.a_lines AS a
                                   WHERE (a.order_id, a.line_no) = (d.order_id, d.line_no))"""
    assert column(db, orphans) == [0]


def test_a_missing_referenced_table_leaves_nulls_or_skips(db: Connection) -> None:
    _, filled = fill(
        db,
        """CREATE TABLE parents (id serial PRIMARY KEY);
           CREATE TABLE maybe (parent_id integer REFERENCES parents);
           CREATE TABLE needs (parent_id integer NOT NULL REFERENCES parents)""",
        leave={"parents"},
    )
    assert filled == Filled(
        (("maybe", ROWS),), (Skipped("needs", "references parents, which has no rows"),)
    )
    assert column(db, "SELECT count(parent_id) FROM maybe") == [0]


def test_self_reference_points_at_rows_of_the_table(db: Connection) -> None:
    _, filled = fill(
        db,
        """CREATE TABLE categories (id serial PRIMARY KEY, name text NOT NULL,
                                    parent_id integer REFERENCES categories);
           CREATE TABLE tree (id serial PRIMARY KEY,
                              parent_id integer NOT NULL REFERENCES tree DEFERRABLE)""",
    )
    assert filled == Filled((("categories", ROWS), ("tree", ROWS)), ())
    assert column(db, "SELECT count(*) FROM tree WHERE parent_id IN (SELECT id FROM tree)") == [
        ROWS
    ]
    parents = column(db, "SELECT parent_id FROM categories")
    assert None in parents
    assert {p for p in parents if p is not None} <= set(column(db, "SELECT id FROM categories"))
    assert len([p for p in parents if p is not None]) >= ROWS // 2


def test_cycles_nullable_and_not_null_deferrable(db: Connection) -> None:
    _, filled = fill(
        db,
        """CREATE TABLE teams (id serial PRIMARY KEY, captain_id integer);
           CREATE TABLE players (id serial PRIMARY KEY, team_id integer REFERENCES teams);
           ALTER TABLE teams ADD FOREIGN KEY (captain_id) REFERENCES players;
           CREATE TABLE authors (id serial PRIMARY KEY, first_book_id integer NOT NULL);
           CREATE TABLE books (id serial PRIMARY KEY,
                               author_id integer NOT NULL REFERENCES authors DEFERRABLE);
           ALTER TABLE authors ADD FOREIGN KEY (first_book_id) REFERENCES books
             DEFERRABLE INITIALLY IMMEDIATE""",
    )
    assert sorted(filled.rows) == [(t, ROWS) for t in ("authors", "books", "players", "teams")]
    assert filled.skipped == ()
    assert column(db, "SELECT count(captain_id) > 0 FROM teams") == [True]
    assert column(db, "SELECT count(team_id) > 0 FROM players") == [True]
    assert column(db, "SELECT count(first_book_id) FROM authors") == [ROWS]


def test_a_cycle_of_not_null_immediate_keys_is_skipped(db: Connection) -> None:
    _, filled = fill(
        db,
        """CREATE TABLE x (id serial PRIMARY KEY, y_id integer NOT NULL);
           CREATE TABLE y (id serial PRIMARY KEY, x_id integer NOT NULL REFERENCES x);
           ALTER TABLE x ADD CONSTRAINT x_y_fkey FOREIGN KEY (y_id) REFERENCES y""",
    )
    assert filled == Filled(
        (),
        (
            Skipped(
                "x",
                "foreign key x_y_fkey is NOT NULL and not deferrable, and references y,"
                " which has no rows yet (a cycle of foreign keys)",
            ),
            Skipped("y", "references x, which has no rows"),
        ),
    )


def test_a_check_no_generated_row_passes_skips_the_table(db: Connection) -> None:
    _, filled = fill(
        db,
        """CREATE TABLE users (id serial PRIMARY KEY, code text NOT NULL
             CONSTRAINT users_code_check CHECK (code ~ '^[0-9]{3}-[A-Z]{2}$'))""",
    )
    assert filled == Filled(
        (), (Skipped("users", "check constraint users_code_check rejected every generated row"),)
    )
    assert count(db, "users") == 0


def test_checks_and_domains_are_satisfied_with_their_own_values(db: Connection) -> None:
    _, filled = fill(
        db,
        """CREATE DOMAIN percent AS numeric(5,2) CHECK (VALUE >= 0 AND VALUE <= 100);
           CREATE DOMAIN switch AS text NOT NULL CHECK (VALUE IN ('on', 'off'));
           CREATE TABLE orders (
             status text NOT NULL CHECK (status IN ('new', 'paid')),
             qty integer NOT NULL CHECK (qty BETWEEN 1 AND 5),
             code text NOT NULL CHECK (length(code) = 3),
             price numeric(8,2) NOT NULL CHECK (price > 0),
             discount percent NOT NULL,
             light switch)""",
    )
    assert filled == Filled((("orders", ROWS),), ())
    assert set(column(db, "SELECT status FROM orders")) == {"new", "paid"}
    assert set(column(db, "SELECT light FROM orders")) == {"on", "off"}


def test_a_partitioned_table_gets_rows_through_its_parent(db: Connection) -> None:
    _, filled = fill(
        db,
        """CREATE TABLE events (id bigserial, happened date NOT NULL, PRIMARY KEY (id, happened))
             PARTITION BY RANGE (happened);
           CREATE TABLE events_2024 PARTITION OF events
             FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
           CREATE TABLE events_2025 PARTITION OF events
             FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
           CREATE TABLE regions (code text NOT NULL, n integer) PARTITION BY LIST (code);
           CREATE TABLE regions_eu PARTITION OF regions FOR VALUES IN ('fr', 'de');
           CREATE TABLE regions_us PARTITION OF regions FOR VALUES IN ('ny')""",
    )
    assert filled == Filled((("events", ROWS), ("regions", ROWS)), ())
    assert count(db, "events_2024") + count(db, "events_2025") == ROWS


def test_version_table_extension_tables_and_views_are_left_alone(db: Connection) -> None:
    try:
        _, filled = fill(
            db,
            """CREATE TABLE alembic_version (version_num varchar(32) PRIMARY KEY);
               CREATE SCHEMA other;
               CREATE TABLE other.alembic_version (version_num varchar(32) NOT NULL);
               CREATE TABLE owned (id integer);
               ALTER EXTENSION plpgsql ADD TABLE owned;
               CREATE TABLE kept (id integer);
               CREATE VIEW seen AS SELECT * FROM kept;
               CREATE MATERIALIZED VIEW frozen AS SELECT * FROM kept""",
        )
        assert filled == Filled((("kept", ROWS),), ())
        for table in ("alembic_version", "other.alembic_version", "owned", "frozen"):
            assert count(db, table) == 0, table
        named = Seeder(ROWS, 0, version_table="versions").fill(db, "0001")
        shown = ("alembic_version", "kept", "other.alembic_version")
        assert sorted(named.rows) == [(table, ROWS) for table in shown]
    finally:  # else the table would outlive its schema
        db.execute("ALTER EXTENSION plpgsql DROP TABLE owned")


DETERMINISM = """
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE TABLE a (id serial PRIMARY KEY, name text, at timestamptz NOT NULL, m mood, u uuid UNIQUE);
CREATE TABLE b (id serial PRIMARY KEY, a_id integer REFERENCES a, amount numeric(6,2),
                parent_id integer REFERENCES b)
"""


def test_rows_are_a_function_of_seed_revision_and_table(pg_server: Server, db: Connection) -> None:
    def rows(db: Connection, seed: int) -> list[Any]:
        db.execute("DROP TABLE IF EXISTS a, b; DROP TYPE IF EXISTS mood")
        db.execute(DETERMINISM)
        Seeder(ROWS, seed).fill(db, "0001")
        return [db.execute(f"SELECT * FROM {t} ORDER BY id").fetchall() for t in ("a", "b")]

    with (
        provision.scratch_database(pg_server) as url,
        psycopg.connect(url, autocommit=True) as fresh,
    ):
        first = rows(fresh, 7)
    assert rows(db, 7) == first
    other = rows(db, 8)
    assert (first[0] != other[0], first[1] != other[1]) == (True, True)


def test_a_table_gets_more_rows_only_when_it_gains_columns(db: Connection) -> None:
    seeder, filled = fill(
        db, "CREATE TABLE a (id serial PRIMARY KEY, name text); CREATE TABLE b (id serial)"
    )
    assert filled == Filled((("a", ROWS), ("b", ROWS)), ())
    assert seeder.fill(db, "0002") == Filled((), ())
    db.execute("ALTER TABLE a RENAME name TO title; ALTER TABLE b ADD COLUMN x int")
    db.execute("ALTER TABLE b DROP COLUMN x")
    assert seeder.fill(db, "0003") == Filled((("b", ROWS),), ())
    db.execute("ALTER TABLE a ADD COLUMN extra text")
    assert seeder.fill(db, "0004") == Filled((("a", ROWS),), ())
    assert count(db, "a") == 2 * ROWS
    # Old rows have NULL in the new column, new rows values (and some NULLs).
    assert column(db, "SELECT count(extra) FROM a WHERE id <= 10") == [0]
    assert column(db, "SELECT count(extra) > 0 FROM a WHERE id > 10") == [True]
    seeder.forget()
    assert seeder.fill(db, "0005") == Filled((("a", ROWS), ("b", ROWS)), ())


def test_left_tables_are_left_to_the_project_until_they_gain_columns(db: Connection) -> None:
    """The project's rows went into the tables left: they are theirs, as rows of the
    seeder's would be, until they gain columns."""
    seeder, filled = fill(
        db,
        "CREATE SCHEMA billing; CREATE TABLE billing.invoices (id serial); CREATE TABLE a (id int)",
        leave={"billing.invoices"},
    )
    assert filled == Filled((("a", ROWS),), ())
    assert count(db, "billing.invoices") == 0
    assert seeder.fill(db, "0002") == Filled((), ())
    db.execute("ALTER TABLE billing.invoices ADD COLUMN total numeric")
    assert seeder.fill(db, "0003") == Filled((("billing.invoices", ROWS),), ())


def test_types_migcheck_does_not_know(db: Connection) -> None:
    ddl = """CREATE TYPE pair AS (x integer, y integer);
             CREATE TABLE odd (id serial, p pair, q pair NOT NULL DEFAULT ROW(1, 2));
             CREATE TABLE odder (p pair NOT NULL)"""
    if column(db, "SELECT count(*) FROM pg_available_extensions WHERE name = 'citext'") == [1]:
        ddl += "; CREATE EXTENSION citext; CREATE TABLE named (name citext NOT NULL UNIQUE)"
    _, filled = fill(db, ddl)
    assert ("odd", ROWS) in filled.rows
    assert filled.skipped == (
        Skipped("odder", "column p has type pair, which migcheck cannot generate"),
    )
    assert column(db, "SELECT count(p) FROM odd") == [0]
    if "citext" in ddl:
        assert ("named", ROWS) in filled.rows
