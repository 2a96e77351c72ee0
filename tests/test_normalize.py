"""Canonical forms: every known cross-version difference, both ways.

Each "same" pair is what two PostgreSQL versions printed for one migration (texts taken
from real servers, 13 and 14+ unless said otherwise); each "different" pair is a real
change of schema that must survive normalisation.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from migcheck.diff import diff
from migcheck.normalize import VERSION_DEPENDENT, canonical, for_comparison
from migcheck.snapshot import Key, Snapshot, make_snapshot

SAME = [
    # SQL-standard function syntax: 13 printed plain function calls, 14 the standard form.
    (
        "CHECK (length(btrim(name, ' '::text)) > 0)",
        "CHECK (length(TRIM(BOTH ' '::text FROM name)) > 0)",
    ),
    ("CHECK (btrim(name) <> ''::text)", "CHECK (TRIM(BOTH FROM name) <> ''::text)"),
    ("CHECK (rtrim(name) <> ''::text)", "CHECK (TRIM(TRAILING FROM name) <> ''::text)"),
    ("ltrim(events.name, 'x'::text)", "TRIM(LEADING 'x'::text FROM events.name)"),
    ("\"substring\"('abcdefgh'::text, 2, 3)", "SUBSTRING('abcdefgh'::text FROM 2 FOR 3)"),
    ("\"overlay\"(name, 'x'::text, 1, 1)", "OVERLAY(name PLACING 'x'::text FROM 1 FOR 1)"),
    (
        "CHECK (\"position\"(lower(name), 'a'::text) > 0)",
        "CHECK (POSITION(('a'::text) IN (lower(name))) > 0)",
    ),
    ("timezone('UTC'::text, created_at)", "(created_at AT TIME ZONE 'UTC'::text)"),
    (
        "date_part('year'::text, timezone('UTC'::text, created_at))",
        "EXTRACT(year FROM (created_at AT TIME ZONE 'UTC'::text))",
    ),
    ("CHECK (\"normalize\"(name) <> ''::text)", "CHECK (NORMALIZE(name) <> ''::text)"),
    ("\"normalize\"(upper(name), 'nfkd'::text)", "NORMALIZE(upper(name), NFKD)"),
    ("CHECK (is_normalized(name))", "CHECK ((name IS NORMALIZED))"),
    (
        "CHECK (is_normalized(lower(name), 'nfkc'::text))",
        "CHECK ((lower(name) IS NFKC NORMALIZED))",
    ),
    ("CHECK (NOT is_normalized(name, 'nfd'::text))", "CHECK (NOT (name IS NFD NORMALIZED))"),
    ('CHECK ("overlaps"(t1, t2, t3, t4))', "CHECK (((t1, t2) OVERLAPS (t3, t4)))"),
    ("CHECK (pg_collation_for(name) IS NOT NULL)", "CHECK (COLLATION FOR (name) IS NOT NULL)"),
    # EXTRACT returns numeric since 14: the constants compared with it are cast to match.
    (
        "CHECK (date_part('dow'::text, t1) > 0::double precision)",
        "CHECK (EXTRACT(dow FROM t1) > 0::numeric)",
    ),
    ("date_part('epoch'::text, created_at)", "EXTRACT(epoch FROM created_at)::double precision"),
    # 16 stopped qualifying the columns of a view that reads one table.
    (
        "SELECT invoices.account_id, sum(invoices.total) AS total FROM app.invoices "
        "WHERE invoices.paid GROUP BY invoices.account_id;",
        "SELECT account_id, sum(total) AS total FROM app.invoices WHERE paid GROUP BY account_id;",
    ),
]

DIFFERENT = [
    (
        "CHECK (btrim(name, 'x'::text) <> ''::text)",
        "CHECK (TRIM(LEADING 'x'::text FROM name) <> ''::text)",
    ),
    (
        "CHECK (\"position\"(lower(name), 'a'::text) > 0)",
        "CHECK (POSITION((lower(name)) IN ('a'::text)) > 0)",
    ),
    ("date_part('year'::text, created_at)", "EXTRACT(month FROM created_at)"),
    ("timezone('UTC'::text, created_at)", "(created_at AT TIME ZONE 'CET'::text)"),
    ("\"normalize\"(name, 'nfkd'::text)", "NORMALIZE(name, NFC)"),
    ("CHECK (is_normalized(name, 'nfc'::text))", "CHECK ((name IS NFD NORMALIZED))"),
    ("CHECK (NOT is_normalized(name, 'nfc'::text))", "CHECK ((name IS NFC NORMALIZED))"),
    ('CHECK ("overlaps"(t1, t2, t3, t4))', "CHECK (((t1, t3) OVERLAPS (t2, t4)))"),
    (
        "CHECK (date_part('dow'::text, t1) > 0::double precision)",
        "CHECK (EXTRACT(dow FROM t1) > 1::numeric)",
    ),
    ("CHECK (n > 0::double precision)", "CHECK (n > 0::numeric)"),  # no EXTRACT: kept
    ("EXTRACT(epoch FROM created_at)", "EXTRACT(epoch FROM created_at)::numeric(10,2)"),
    ("a + (b * c)", "(a + b) * c"),
    (
        "SELECT a.id, b.id AS next_id FROM events a JOIN events b ON b.id = a.id + 1",
        "SELECT b.id, a.id AS next_id FROM events a JOIN events b ON b.id = a.id + 1",
    ),
]


@pytest.mark.parametrize(("old", "new"), SAME)
def test_versions_spellings_are_equal(old: str, new: str) -> None:
    assert canonical(old) == canonical(new)


@pytest.mark.parametrize(("old", "new"), DIFFERENT)
def test_real_changes_stay_different(old: str, new: str) -> None:
    assert canonical(old) != canonical(new)


def test_text_that_does_not_parse_is_compared_as_text() -> None:
    assert canonical("SELECT (((") == canonical("SELECT  (((\n")
    assert canonical("SELECT (((") != canonical("SELECT ((")


def snapshot(*objects: tuple[Key, dict[str, Any]]) -> Snapshot:
    return make_snapshot(objects)


PUBLIC = Key("schema", "public", "public")
PUBLIC_13 = ("=UC/postgres", "postgres=UC/postgres")  # as initdb leaves it, up to 14
PUBLIC_15 = ("=U/pg_database_owner", "pg_database_owner=UC/pg_database_owner")


def public(acl: tuple[str, ...] | None) -> Snapshot:
    return snapshot((PUBLIC, {"acl": acl, "comment": "standard public schema"}))


def same(old: Snapshot, new: Snapshot) -> bool:
    return diff(for_comparison(old), for_comparison(new)) == ()


def test_public_schema_privileges_of_each_version_are_equal() -> None:
    assert same(public(PUBLIC_13), public(PUBLIC_15))
    # REVOKE CREATE ON SCHEMA public FROM PUBLIC: what 15 does by default.
    assert same(public(("=U/postgres", "postgres=UC/postgres")), public(PUBLIC_15))
    # GRANT USAGE ON SCHEMA public TO app, on both.
    assert same(
        public(("=UC/postgres", "app=U/postgres", "postgres=UC/postgres")),
        public(("=U/pg_database_owner", "app=U/pg_database_owner", *PUBLIC_15[1:])),
    )


def test_public_schema_privileges_that_differ_are_reported() -> None:
    granted = ("=U/pg_database_owner", "app=U/pg_database_owner", *PUBLIC_15[1:])
    assert not same(public(PUBLIC_13), public(granted))
    # REVOKE ALL ON SCHEMA public FROM PUBLIC on one version only.
    assert not same(public(PUBLIC_13), public(("pg_database_owner=UC/pg_database_owner",)))
    # Only schema public is evened out.
    other = Key("schema", "app", "app")
    assert not same(
        snapshot((other, {"acl": ("=UC/postgres", "postgres=UC/postgres")})),
        snapshot((other, {"acl": ("=U/postgres", "postgres=UC/postgres")})),
    )


def test_maintain_privilege_is_left_out() -> None:
    table = Key("table", "public", "events")
    assert same(
        snapshot((table, {"acl": ("=arwdDxt/postgres", "postgres=arwdDxt/postgres")})),
        snapshot((table, {"acl": ("=arwdDxtm/postgres", "postgres=arwdDxtm/postgres")})),
    )
    assert not same(
        snapshot((table, {"acl": ("=r/postgres", "postgres=arwdDxt/postgres")})),
        snapshot((table, {"acl": ("=arwdDxtm/postgres", "postgres=arwdDxtm/postgres")})),
    )


def test_extension_versions_are_left_out() -> None:
    citext = Key("extension", "public", "citext")
    assert same(
        snapshot((citext, {"version": "1.6", "schema": "public"})),
        snapshot((citext, {"version": "1.8", "schema": "public"})),
    )
    hstore = Key("extension", "public", "hstore")
    assert not same(snapshot((citext, {"version": "1.6"})), snapshot((hstore, {"version": "1.6"})))


def test_expressions_are_compared_in_canonical_form() -> None:
    column = Key("column", "public", "code", "events")
    old = snapshot((column, {"default": "\"substring\"('abcdefgh'::text, 2, 3)", "type": "text"}))
    new = snapshot(
        (column, {"default": "SUBSTRING('abcdefgh'::text FROM 2 FOR 3)", "type": "text"})
    )
    assert same(old, new)
    assert not same(old, snapshot((column, {"default": "'bcd'::text", "type": "text"})))


def test_readme_lists_every_known_difference() -> None:
    readme = (Path(__file__).parent.parent / "docs" / "checks.md").read_text()
    section = readme.split("## Known differences between versions", 1)[1].split("\n#", 1)[0]
    listed = re.findall(r"^- \*\*(.+?)\*\*", section, flags=re.MULTILINE)
    assert listed == list(VERSION_DEPENDENT)
