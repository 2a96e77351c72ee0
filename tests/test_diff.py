"""diff() and render() on hand-built snapshots."""

from __future__ import annotations

from migcheck.diff import Added, Changed, Removed, diff, is_reordering, render, render_all
from migcheck.snapshot import Key, Snapshot, catalog_queries, make_snapshot


def snap(*objects: tuple[Key, dict[str, object]]) -> Snapshot:
    return make_snapshot(objects)


COLUMN = Key("column", "public", "name", "users")
INDEX = Key("index", "public", "ix_users_email", "users")
ENUM = Key("enum", "public", "mood")


def test_equal_snapshots_have_no_difference() -> None:
    a = snap((COLUMN, {"type": "text", "default": None}))
    b = snap((COLUMN, {"default": None, "type": "text"}))
    assert diff(a, b) == ()


def test_added_removed_changed() -> None:
    old = snap((COLUMN, {"type": "text", "default": "'anon'::text"}), (ENUM, {"labels": ["a"]}))
    new = snap(
        (COLUMN, {"type": "text", "default": None}),
        (INDEX, {"unique": False, "method": "btree", "columns": ["email"], "predicate": None}),
    )
    found = diff(old, new)
    assert [type(d) for d in found] == [Changed, Removed, Added]
    assert [render(d) for d in found] == [
        "~ column users.name default: 'anon'::text -> NULL",
        "- enum type mood ('a')",
        "+ index ix_users_email on users using btree (email)",
    ]


def test_render_names_non_default_schema_and_predicate() -> None:
    key = Key("index", "app", "ix_open", "orders")
    new = snap(
        (
            key,
            {
                "unique": True,
                "method": "btree",
                "columns": ["id"],
                "predicate": "(status = 'open'::text)",
            },
        )
    )
    assert [render(d) for d in diff(snap(), new)] == [
        "+ index ix_open on app.orders unique using btree (id) where (status = 'open'::text)"
    ]


def test_column_summary() -> None:
    new = snap((COLUMN, {"type": "text", "not_null": True, "default": "'x'::text"}))
    (added,) = diff(snap(), new)
    assert render(added) == "+ column users.name text not null default 'x'::text"


def test_values_render_readably() -> None:
    old = snap((ENUM, {"labels": ["a", "b"], "flag": True}))
    new = snap((ENUM, {"labels": ["a", "b", "c"], "flag": False}))
    assert [render(d) for d in diff(old, new)] == [
        "~ enum type mood flag: true -> false",
        "~ enum type mood labels: ('a', 'b') -> ('a', 'b', 'c')",
    ]


def test_snapshot_json_round_trip() -> None:
    original = snap(
        (COLUMN, {"type": "text", "default": None, "position": 1, "not_null": False}),
        (ENUM, {"labels": ["a", "b"]}),
    ).with_server_version("16.4")
    loaded = Snapshot.from_json(original.to_json())
    assert loaded == original
    assert loaded.server_version == "16.4"
    assert loaded.to_json() == original.to_json()


def _columns(table: str, names: list[str]) -> list[tuple[Key, dict[str, object]]]:
    return [
        (Key("column", "public", name, table), {"type": "text", "position": i + 1})
        for i, name in enumerate(names)
    ]


def test_only_the_column_that_moved_is_reported() -> None:
    old = snap(*_columns("users", ["id", "name", "nickname", "created_at"]))
    new = snap(*_columns("users", ["id", "name", "created_at", "nickname"]))
    (moved,) = diff(old, new)
    assert is_reordering(moved)
    assert render(moved) == "~ column users.nickname position: 3 -> 4"


def test_a_column_moved_to_the_front_is_the_one_reported() -> None:
    old = snap(*_columns("t", ["a", "b", "c"]))
    new = snap(*_columns("t", ["c", "a", "b"]))
    assert [render(d) for d in diff(old, new)] == ["~ column t.c position: 3 -> 1"]


def test_dropping_a_column_does_not_report_the_shift_of_the_others() -> None:
    old = snap(*_columns("t", ["a", "b", "c"]))
    new = snap(*_columns("t", ["a", "c"]))
    assert [render(d) for d in diff(old, new)] == ["- column t.b text"]


def test_added_table_folds_its_columns_and_comes_first() -> None:
    table = Key("table", "public", "settings")
    pkey = Key("constraint", "public", "settings_pkey", "settings")
    new = snap(
        (table, {"kind": "table"}),
        (pkey, {"definition": "PRIMARY KEY (key)"}),
        (Key("column", "public", "value", "settings"), {"type": "text", "position": 2}),
        (
            Key("column", "public", "key", "settings"),
            {"type": "text", "not_null": True, "position": 1},
        ),
        (ENUM, {"labels": ["it's", "a, b"]}),
    )
    assert render_all(diff(snap(), new)) == (
        "+ enum type mood ('it''s', 'a, b')",
        "+ table settings (key text not null, value text)",
        "+ constraint settings_pkey on settings PRIMARY KEY (key)",
    )


def test_changed_materialized_view_is_named_so() -> None:
    key = Key("view", "public", "daily")
    old = snap((key, {"materialized": True, "definition": "SELECT 1;"}))
    new = snap((key, {"materialized": True, "definition": "SELECT\n  2;"}))
    assert [render(d) for d in diff(old, new)] == [
        "~ materialized view daily definition: SELECT 1; -> SELECT 2;"
    ]


def test_every_catalog_kind_renders_with_its_own_name() -> None:
    """One object of each kind the catalog reads, as `migcheck diff` shows it added."""
    objects: list[tuple[Key, dict[str, object]]] = [
        (Key("schema", "app", "app"), {}),
        (Key("extension", "public", "citext"), {"version": "1.6"}),
        (Key("table", "app", "orders"), {"kind": "table"}),
        (Key("column", "app", "total", "orders"), {"type": "numeric(12,2)", "position": 1}),
        (Key("constraint", "app", "ck_total", "orders"), {"definition": "CHECK (total > 0)"}),
        (
            Key("index", "app", "ix_total", "orders"),
            {"method": "btree", "columns": ["total"], "unique": False},
        ),
        (
            Key("trigger", "app", "trg", "orders"),
            {"timing": "BEFORE", "events": ["UPDATE"], "function": "app.touch"},
        ),
        (Key("policy", "app", "own_rows", "orders"), {"command": "ALL"}),
        (Key("rule", "app", "no_delete", "orders"), {"event": "DELETE"}),
        (Key("statistics", "app", "st_total", "orders"), {"definition": "..."}),
        (Key("sequence", "app", "order_no"), {"type": "bigint"}),
        (Key("enum", "app", "mood"), {"labels": ["ok"]}),
        (Key("domain", "app", "email"), {"type": "text"}),
        (Key("composite", "app", "money"), {"attributes": ["amount numeric"]}),
        (Key("view", "app", "totals"), {"materialized": False, "definition": "SELECT 1;"}),
        (Key("view", "app", "daily"), {"materialized": True, "definition": "SELECT 1;"}),
        (Key("function", "app", "touch()"), {"language": "plpgsql"}),
        (Key("collation", "app", "german"), {"provider": "icu"}),
        (Key("event_trigger", "", "audit_ddl"), {"event": "ddl_command_end"}),
        (Key("default_acl", "app", "tables", "deployer"), {"acl": ["reader=r/deployer"]}),
    ]
    assert {key.kind for key, _ in objects} == {kind for kind, _ in catalog_queries()}
    assert render_all(diff(snap(), snap(*objects))) == (
        "+ event trigger audit_ddl",
        "+ schema app",
        "+ materialized view app.daily",
        "+ default privileges on tables for role deployer in schema app",
        "+ domain app.email text",
        "+ collation app.german",
        "+ composite type app.money",
        "+ enum type app.mood ('ok')",
        "+ sequence app.order_no bigint",
        "+ table app.orders (total numeric(12,2))",
        "+ constraint ck_total on app.orders CHECK (total > 0)",
        "+ index ix_total on app.orders using btree (total)",
        "+ policy own_rows on app.orders",
        "+ rule no_delete on app.orders",
        "+ statistics st_total on app.orders",
        "+ trigger trg on app.orders BEFORE UPDATE execute app.touch",
        "+ view app.totals",
        "+ function app.touch()",
        "+ extension citext version 1.6",
    )
