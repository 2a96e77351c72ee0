"""The pure parts of the models comparison (MC301): rendering autogenerate's records and
comparing the catalog's own forms. The comparison on real servers is proven by the
tests/projects/models_* fixtures."""

from __future__ import annotations

import importlib
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from migcheck import check
from migcheck.config import Config
from migcheck.diff import Changed
from migcheck.drift import Part, catalog_lines, check_spec, parts, settled
from migcheck.errors import ProjectError, UsageError
from migcheck.runner import places
from migcheck.runner.history import load_models
from migcheck.runner.models import record, render
from migcheck.runner.session import ProjectError as RunnerError
from migcheck.runner.spelling import spelled
from migcheck.snapshot import Key, Snapshot, make_snapshot


def _metadata() -> tuple[sa.MetaData, sa.Table]:
    metadata = sa.MetaData()
    table = sa.Table(
        "orders",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("note", sa.String(40), nullable=False),
        sa.Column("customer_id", sa.Integer),
        sa.UniqueConstraint("note", name="uq_orders_note"),
        sa.ForeignKeyConstraint(["customer_id"], ["app.customers.id"], name="fk_customer"),
        schema="app",
    )
    sa.Table("customers", metadata, sa.Column("id", sa.Integer, primary_key=True), schema="app")
    return metadata, table


def test_render_autogenerate_names_every_object() -> None:
    _, table = _metadata()
    index = sa.Index("ix_orders_note", table.c.note, unique=True)
    unique = next(c for c in table.constraints if isinstance(c, sa.UniqueConstraint))
    fk = next(iter(table.foreign_key_constraints))
    records: list[tuple[Any, ...]] = [
        ("add_table", table),
        ("remove_column", "app", "orders", sa.Column("legacy", sa.Text)),
        ("add_column", None, "orders", sa.Column("note", sa.String(40), nullable=False)),
        ("add_index", index),
        ("remove_constraint", unique),
        ("add_fk", fk),
        ("modify_nullable", None, "orders", "note", {}, True, False),
        ("modify_type", None, "orders", "note", {}, sa.Text(), sa.String(40)),
        ("modify_default", None, "orders", "note", {}, None, sa.DefaultClause("x")),
    ]
    assert [render(record) for record in records] == [
        "+ table app.orders",
        "- column app.orders.legacy text",
        "+ column orders.note character varying(40) not null",
        "+ unique index ix_orders_note on app.orders (note)",
        "- unique constraint uq_orders_note on app.orders (note)",
        "+ foreign key fk_customer on app.orders (customer_id) -> app.customers (id)",
        "~ column orders.note not_null: false -> true",
        "~ column orders.note type: text -> character varying(40)",
        "~ column orders.note default: NULL -> x",
    ]
    assert [(r.get("schema"), r.get("table")) for r in map(record, records)] == [
        ("app", "orders"),
        ("app", "orders"),
        (None, "orders"),
        ("app", "orders"),
        ("app", "orders"),
        ("app", "orders"),
        (None, "orders"),
        (None, "orders"),
        (None, "orders"),
    ]


# What SQLAlchemy's PostgreSQL dialect compiles, and what format_type prints for the
# column it makes (PostgreSQL 18).
FORMAT_TYPE = {
    "VARCHAR(500)": "character varying(500)",
    "VARCHAR": "character varying",
    "CHAR": "character(1)",
    "CHAR(3)": "character(3)",
    "NCHAR(4)": "character(4)",
    "NUMERIC(10, 2)": "numeric(10,2)",
    "NUMERIC(10)": "numeric(10,0)",
    "NUMERIC": "numeric",
    "DECIMAL(10, 2)": "numeric(10,2)",
    "FLOAT": "double precision",
    "FLOAT(24)": "real",
    "FLOAT(53)": "double precision",
    "REAL": "real",
    "DOUBLE PRECISION": "double precision",
    "BOOLEAN": "boolean",
    "INTEGER": "integer",
    "BIGINT": "bigint",
    "TIMESTAMP WITHOUT TIME ZONE": "timestamp without time zone",
    "TIMESTAMP WITH TIME ZONE": "timestamp with time zone",
    "TIMESTAMP(3) WITH TIME ZONE": "timestamp(3) with time zone",
    "TIME(2) WITHOUT TIME ZONE": "time(2) without time zone",
    "INTERVAL DAY TO SECOND (3)": "interval day to second(3)",
    "BYTEA": "bytea",
    "JSONB": "jsonb",
    "UUID": "uuid",
    "VARCHAR(20)[]": "character varying(20)[]",
    "INTEGER[][]": "integer[]",
    '"Mood"': '"Mood"',
    "app.mood": "app.mood",
    "BIT(3)": "bit(3)",
    "BIT VARYING(5)": "bit varying(5)",
    "INT4RANGE": "int4range",
    "CITEXT": "citext",
}


def test_types_are_spelled_as_format_type_prints_them() -> None:
    assert {compiled: spelled(compiled) for compiled in FORMAT_TYPE} == FORMAT_TYPE


def _snapshot(*objects: tuple[Key, dict[str, Any]]) -> Snapshot:
    return make_snapshot(objects)


def test_catalog_lines_compare_what_autogenerate_does_not() -> None:
    table = (Key("table", "public", "entries"), {"kind": "table"})
    head = _snapshot(
        table,
        (Key("column", "public", "qty", "entries"), {"type": "integer", "default": "0"}),
        (Key("column", "public", "only_here", "entries"), {"type": "text"}),
        (
            Key("constraint", "public", "ck_qty", "entries"),
            {"type": "check", "definition": "CHECK (qty >= 0)"},
        ),
        (Key("index", "public", "ix_open", "entries"), {"predicate": "status = 'open'"}),
        (Key("index", "public", "ix_skipped", "entries"), {"predicate": "a"}),
        (Key("enum", "public", "mood", ""), {"labels": ["sad", "ok"], "comment": "x"}),
        (Key("enum", "public", "leftover", ""), {"labels": ["a"]}),
        (Key("table", "public", "not_in_models"), {"kind": "table"}),
        (Key("column", "public", "id", "not_in_models"), {"type": "integer"}),
    )
    models = _snapshot(
        table,
        (Key("column", "public", "qty", "entries"), {"type": "integer", "default": "1"}),
        (
            Key("constraint", "public", "ck_qty", "entries"),
            {"type": "check", "definition": "CHECK (qty > 0)"},
        ),
        (Key("index", "public", "ix_open", "entries"), {"predicate": "status = 'closed'"}),
        (Key("index", "public", "ix_skipped", "entries"), {"predicate": "b"}),
        (Key("enum", "public", "mood", ""), {"labels": ["sad", "ok", "happy"]}),
    )
    assert catalog_lines(head, models, skip={"ix_skipped"}) == (
        "~ column entries.qty default: 0 -> 1",
        "~ constraint ck_qty on entries definition: CHECK (qty >= 0) -> CHECK (qty > 0)",
        "~ index ix_open on entries predicate: status = 'open' -> status = 'closed'",
        "~ enum type mood labels: ('sad', 'ok') -> ('sad', 'ok', 'happy')",
    )
    assert catalog_lines(head, head, skip=set()) == ()


def test_load_models_accepts_a_base_or_metadata_and_names_the_option(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "drift_test_models.py").write_text(
        "import sqlalchemy as sa\n"
        "from sqlalchemy.orm import DeclarativeBase\n"
        "class Base(DeclarativeBase):\n    pass\n"
        "metadata = sa.MetaData()\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    base = load_models("drift_test_models:Base")
    assert isinstance(base, sa.MetaData)
    assert isinstance(load_models("drift_test_models:metadata"), sa.MetaData)
    assert base is not load_models("drift_test_models:metadata")
    with pytest.raises(RunnerError, match=r"--models json:dumps: expected a MetaData"):
        load_models("json:dumps")
    with pytest.raises(RunnerError, match="--models no_such_module_here:x: cannot load it"):
        load_models("no_such_module_here:x")


def test_load_models_refuses_a_value_not_shaped_module_colon_attribute() -> None:
    for spec in ("app.models", "app.models:", ":Base", "app models:Base", "a:b:c"):
        with pytest.raises(UsageError, match=f"--models {spec}: expected package.module:attr"):
            check_spec(spec)


def test_check_refuses_bad_models_before_any_server_starts() -> None:
    # Nothing listens on port 9: reaching for the server would be a ServerError (exit 3).
    project = Path(__file__).parent / "projects" / "models_drift_five_ways"
    config = Config(
        project_dir=project, backend="url", urls=("postgresql://nobody@127.0.0.1:9/none",)
    )
    with pytest.raises(ProjectError, match="--models nosuch:Base: cannot load it") as raised:
        check(replace(config, models="nosuch:Base"))
    assert raised.value.exit_code == 2
    with pytest.raises(UsageError, match="--models nosuch: expected"):
        check(replace(config, models="nosuch"))
    # The project's own folder is on sys.path while the value is tried, as in the walk.
    with pytest.raises(ProjectError, match="expected a MetaData or a declarative base"):
        check(replace(config, models="drift_five_ways_models:sa"))


_TABLE = (Key("table", "public", "gadgets"), {"kind": "table"})


def _serial(sequence: str, owner: str | None) -> tuple[Key, dict[str, Any]]:
    return (Key("sequence", "public", sequence), {"owned_by": owner})


def _id(default: str) -> tuple[Key, dict[str, Any]]:
    return (Key("column", "public", "id", "gadgets"), {"type": "integer", "default": default})


def test_catalog_lines_take_each_sides_own_serial_sequence_as_the_same_default() -> None:
    renamed = _snapshot(
        _TABLE, _serial("things_id_seq", "gadgets.id"), _id("nextval('things_id_seq'::regclass)")
    )
    models = _snapshot(
        _TABLE, _serial("gadgets_id_seq", "gadgets.id"), _id("nextval('gadgets_id_seq'::regclass)")
    )
    assert catalog_lines(renamed, models, skip=set()) == ()
    shared = _snapshot(_TABLE, _serial("shared", None), _id("nextval('shared'::regclass)"))
    assert catalog_lines(shared, models, skip=set()) == (
        "~ column gadgets.id default: nextval('shared'::regclass) -> "
        "nextval('gadgets_id_seq'::regclass)",
    )


def test_catalog_lines_ask_whether_defaults_evaluate_equal_but_never_nextval() -> None:
    asked: list[tuple[str, str, str, str]] = []

    def same(a: str, a_type: str, b: str, b_type: str) -> bool:
        asked.append((a, a_type, b, b_type))
        return {a, b} == {"CURRENT_TIMESTAMP", "now()"}

    def column(name: str, default: str) -> tuple[Key, dict[str, Any]]:
        return (Key("column", "public", name, "gadgets"), {"type": "text", "default": default})

    head = _snapshot(
        _TABLE, column("at", "CURRENT_TIMESTAMP"), column("n", "1"), _id("nextval('a'::regclass)")
    )
    models = _snapshot(
        _TABLE, column("at", "now()"), column("n", "2"), _id("nextval('b'::regclass)")
    )
    assert catalog_lines(head, models, skip=set(), same=same) == (
        "~ column gadgets.id default: nextval('a'::regclass) -> nextval('b'::regclass)",
        "~ column gadgets.n default: 1 -> 2",
    )
    assert sorted(asked) == [
        ("1", "text", "2", "text"),
        ("CURRENT_TIMESTAMP", "text", "now()", "text"),
    ]


def test_catalog_lines_leave_out_excluded_objects_and_migration_only_checks() -> None:
    def check_(name: str, body: str) -> tuple[Key, dict[str, Any]]:
        return (Key("constraint", "public", name, "gadgets"), {"type": "check", "definition": body})

    skipped = (Key("table", "public", "skipped"), {"kind": "table"})
    value = Key("column", "public", "value", "skipped")
    head = _snapshot(
        _TABLE,
        skipped,
        (value, {"type": "integer", "default": "2"}),
        check_("ck_only_migrations", "CHECK (a)"),
        check_("ck_both", "CHECK (b)"),
    )
    models = _snapshot(
        _TABLE,
        skipped,
        (value, {"type": "integer", "default": "1"}),
        check_("ck_both", "CHECK (c)"),
        check_("ck_only_models", "CHECK (d)"),
        (Key("enum", "public", "ext_status"), {"labels": ["on"]}),
    )
    exclude = frozenset({Key("table", "public", "skipped"), Key("enum", "public", "ext_status")})
    assert catalog_lines(head, models, skip=set(), exclude=exclude) == (
        "~ constraint ck_both on gadgets definition: CHECK (b) -> CHECK (c)",
        "+ constraint ck_only_models on gadgets CHECK (d)",
    )
    assert "~ column skipped.value default: 2 -> 1" in catalog_lines(head, models, skip=set())


def test_settled_drops_type_and_default_verdicts_only_where_the_catalog_compared() -> None:
    type_: tuple[Any, ...] = ("modify_type", None, "items", "name", {}, sa.String(20), sa.Text())
    default: tuple[Any, ...] = (
        "modify_default",
        "app",
        "items",
        "qty",
        {},
        None,
        sa.DefaultClause("5"),
    )
    nullable: tuple[Any, ...] = ("modify_nullable", None, "items", "qty", {}, True, False)
    records = [record(r) for r in (type_, default, nullable)]
    both = {("app", "items", "name"), ("app", "items", "qty")}
    assert settled(records, both, "app") == [records[2]]
    # The models' tables landed elsewhere (public): nothing compared, nothing dropped.
    assert settled(records, {("public", "items", "name")}, "app") == records


def test_parts_tell_each_table_at_the_line_of_its_model() -> None:
    records = [
        {"kind": "remove_table", "line": "- table legacy", "schema": None, "table": "legacy"},
        {"kind": "add_column", "line": "+ column users.bio text", "table": "users"},
        {"kind": "add_table_comment_of_a_new_kind", "line": "~ something new"},
    ]
    differences = (
        Changed(Key("enum", "public", "mood"), "labels", ("a",), ("a", "b")),
        Changed(Key("column", "public", "email", "users"), "type", "text", "character(2)"),
    )
    places = {
        "tables": [["public", "users", "/p/models.py", 12]],
        "models": ["/p/models.py", 8],
        "enums": [["public", "mood", "public", "users"]],
    }
    assert parts(records, differences, places, "public") == (
        # Lines of no table, then a table no model declares: at the models.
        Part(("~ something new",), None, "/p/models.py", 8),
        Part(("- table legacy",), "table legacy", "/p/models.py", 8),
        Part(
            (
                "+ column users.bio text",
                "~ column users.email type: text -> character(2)",
                "~ enum type mood labels: ('a') -> ('a', 'b')",
            ),
            "table users",
            "/p/models.py",
            12,
        ),
    )
    # The runner found no place (a class made at run time): env.py's, said by None; an
    # enum type whose table is not known goes with the lines of no table.
    found = parts(records, differences, None, "public")
    assert [(p.table, p.file, p.line) for p in found] == [
        (None, None, None),
        ("table legacy", None, None),
        ("table users", None, None),
    ]
    assert found[0].lines == ("~ something new", "~ enum type mood labels: ('a') -> ('a', 'b')")


_MODELS = """\
import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass


def table_args(cls):
    return cls


@table_args
class User(Base):
    __tablename__ = "users"
    id = sa.Column(sa.Integer, primary_key=True)
    mood = sa.Column(sa.Enum("sad", "ok", name="mood"))


class Admin(User):  # single table inheritance: users is User's
    pass


audit = sa.Table("audit", Base.metadata, sa.Column("id", sa.Integer, primary_key=True))


def make():
    class Hidden(Base):
        __tablename__ = "hidden"
        id = sa.Column(sa.Integer, primary_key=True)

    return Hidden


Made = make()
Dynamic = type(
    "Dynamic", (Base,), {"__tablename__": "dynamic", "id": sa.Column(sa.Integer, primary_key=True)}
)
sa.Table("unheld", Base.metadata, sa.Column("id", sa.Integer, primary_key=True), schema="app")
"""

_METADATA = """\
import sqlalchemy as sa

metadata = sa.MetaData()
orders = sa.Table("orders", metadata, sa.Column("id", sa.Integer, primary_key=True))
"""


def test_places_are_the_lines_defining_each_table(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "places_test_models.py").write_text(_MODELS)
    (tmp_path / "places_test_metadata.py").write_text(_METADATA)
    # Handed over from another module: not where the MetaData was made.
    (tmp_path / "places_test_env.py").write_text(
        "from places_test_metadata import metadata\n\ntarget_metadata = metadata\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    names = ("places_test_models", "places_test_metadata", "places_test_env")
    try:
        models_module, metadata_module, _ = map(importlib.import_module, names)
        models = str(tmp_path / "places_test_models.py")
        assert places.find([models_module.Base.metadata], "public") == {
            # Not the decorator's line but the class's; a class made at run time
            # (dynamic) and a Table no name holds (app.unheld) have none: the models'
            # place is theirs.
            "tables": [
                ["public", "audit", models, 24],
                ["public", "hidden", models, 28],
                ["public", "users", models, 14],
            ],
            "models": [models, 5],
            "enums": [["public", "mood", "public", "users"]],
        }
        metadata = str(tmp_path / "places_test_metadata.py")
        assert places.find([metadata_module.metadata], "public") == {
            "tables": [["public", "orders", metadata, 4]],
            "models": [metadata, 3],
            "enums": [],
        }
    finally:
        for name in names:
            sys.modules.pop(name, None)
