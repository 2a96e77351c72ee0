"""The pure parts of the models comparison (MC301): rendering autogenerate's records and
comparing the catalog's own forms. The comparison on real servers is proven by the
tests/projects/models_* fixtures."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from migcheck.drift import catalog_lines, load_models, render_autogenerate
from migcheck.errors import ProjectError
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
    assert list(render_autogenerate(records)) == [
        "+ table app.orders",
        "- column app.orders.legacy TEXT",
        "+ column orders.note VARCHAR(40) NOT NULL",
        "+ unique index ix_orders_note on app.orders (note)",
        "- unique constraint uq_orders_note on app.orders (note)",
        "+ foreign key fk_customer on app.orders (customer_id) -> app.customers (id)",
        "~ column orders.note not_null: false -> true",
        "~ column orders.note type: TEXT -> VARCHAR(40)",
        "~ column orders.note default: NULL -> x",
    ]


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
    with pytest.raises(ProjectError, match=r"--models json:dumps: expected a MetaData"):
        load_models("json:dumps")
    with pytest.raises(ProjectError, match="--models no_such_module_here:x: cannot load it"):
        load_models("no_such_module_here:x")
