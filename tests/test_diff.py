"""diff() and render() on hand-built snapshots."""

from __future__ import annotations

from migcheck.diff import Added, Changed, Removed, diff, is_reordering, render, render_all
from migcheck.snapshot import Key, Snapshot, make_snapshot


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
