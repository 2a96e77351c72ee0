"""The catalog queries (``migcheck/catalog/<kind>.sql``) against a real PostgreSQL server.

Each test creates real objects in a fresh database and asserts the exact rows that the
query of one kind returns. The server is started here (self-contained for now): the
highest PostgreSQL under /usr/lib/postgresql, or the one named by MIGCHECK_TEST_PG.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from importlib import resources
from typing import Any

import psycopg
import pytest

from migcheck.provision import Server, scratch_database

pytestmark = pytest.mark.server

KINDS = (
    "collation",
    "column",
    "composite",
    "constraint",
    "default_acl",
    "domain",
    "enum",
    "event_trigger",
    "extension",
    "function",
    "index",
    "policy",
    "rule",
    "schema",
    "sequence",
    "statistics",
    "table",
    "trigger",
    "view",
)

# Every attribute of every kind, in query order, with the value that means "nothing
# special" (what a plain object of the kind has). Expected rows below only spell out
# what differs from these; the comparison itself is on complete rows.
ATTRIBUTES: dict[str, dict[str, Any]] = {
    "schema": {"comment": None, "acl": None},
    "extension": {"version": None, "comment": None},
    "table": {
        "kind": "table",
        "partition_key": None,
        "partition_of": None,
        "partition_bound": None,
        "inherits": None,
        "of_type": None,
        "rls_enabled": False,
        "rls_forced": False,
        "replica_identity": "default",
        "access_method": "heap",
        "tablespace": None,
        "options": None,
        "acl": None,
        "comment": None,
    },
    "column": {
        "type": None,
        "not_null": False,
        "default": None,
        "identity": None,
        "identity_options": None,
        "generated": None,
        "generated_kind": None,
        "collation": None,
        "position": None,
        "acl": None,
        "comment": None,
    },
    "constraint": {
        "type": None,
        "definition": None,
        "deferrable": False,
        "deferred": False,
        "validated": True,
        "comment": None,
    },
    "index": {
        "unique": False,
        "method": "btree",
        "columns": None,
        "include": None,
        "predicate": None,
        "nulls_not_distinct": False,
        "partition_of": None,
        "tablespace": None,
        "options": None,
        "comment": None,
    },
    "sequence": {
        "type": "bigint",
        "start": 1,
        "increment": 1,
        "min": 1,
        "max": 9223372036854775807,
        "cache": 1,
        "cycle": False,
        "owned_by": None,
        "acl": None,
        "comment": None,
    },
    "enum": {"labels": None, "acl": None, "comment": None},
    "domain": {
        "type": None,
        "not_null": False,
        "default": None,
        "collation": None,
        "checks": None,
        "acl": None,
        "comment": None,
    },
    "composite": {"attributes": None, "acl": None, "comment": None},
    "view": {
        "materialized": False,
        "definition": None,
        "options": None,
        "acl": None,
        "comment": None,
    },
    "function": {
        "kind": "function",
        "arguments": "",
        "returns": None,
        "language": "sql",
        "body": None,
        "volatility": "volatile",
        "strict": False,
        "security_definer": False,
        "leakproof": False,
        "parallel": "unsafe",
        "cost": "100",
        "rows": None,
        "config": None,
        "acl": None,
        "comment": None,
    },
    "trigger": {
        "timing": None,
        "events": None,
        "columns": None,
        "level": "row",
        "function": None,
        "arguments": None,
        "when": None,
        "referencing": None,
        "enabled": "origin",
        "constraint": False,
        "deferrable": False,
        "deferred": False,
        "comment": None,
    },
    "policy": {
        "command": "ALL",
        "permissive": True,
        "roles": ["public"],
        "using": None,
        "with_check": None,
        "comment": None,
    },
    "rule": {
        "event": None,
        "instead": False,
        "definition": None,
        "enabled": "origin",
        "comment": None,
    },
    "collation": {
        "provider": None,
        "lc_collate": None,
        "lc_ctype": None,
        "locale": None,
        "icu_rules": None,
        "deterministic": True,
        "comment": None,
    },
    "event_trigger": {
        "event": None,
        "tags": None,
        "function": None,
        "enabled": "origin",
        "comment": None,
    },
    "statistics": {"definition": None, "comment": None},
    "default_acl": {"acl": None},
}

READER = "migcheck_reader"  # a role for privileges and policies (roles are cluster-wide)


# --------------------------------------------------------------------------- server


@pytest.fixture(scope="session")
def reader_role(pg_server: Server) -> str:
    """A role for privileges and policies (roles are cluster-wide)."""
    with psycopg.connect(pg_server.url, autocommit=True) as conn:
        conn.execute(f"CREATE ROLE {READER}")
    return READER


@pytest.fixture
def db(pg_server: Server, reader_role: str) -> Iterator[psycopg.Connection[Any]]:
    """A fresh database per test: some kinds (schemas, extensions...) are database-wide."""
    with scratch_database(pg_server) as url, psycopg.connect(url, autocommit=True) as conn:
        yield conn


# --------------------------------------------------------------------------- helpers


def query(kind: str) -> str:
    return (resources.files("migcheck") / "catalog" / f"{kind}.sql").read_text(encoding="utf-8")


def fetch(
    conn: psycopg.Connection[Any], kind: str, version_table: str = "alembic_version"
) -> list[dict[str, Any]]:
    cur = conn.execute(query(kind), {"version_table": version_table})
    assert cur.description is not None
    names = [c.name for c in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def snapshot(conn: psycopg.Connection[Any]) -> dict[str, list[dict[str, Any]]]:
    return {kind: fetch(conn, kind) for kind in KINDS}


def row(
    of_kind: str, schema: str, name: str, parent: str = "", /, **attributes: Any
) -> dict[str, Any]:
    """A complete expected row: the kind's neutral attributes, overridden by ``attributes``."""
    unknown = set(attributes) - set(ATTRIBUTES[of_kind])
    assert not unknown, f"not attributes of {of_kind}: {unknown}"
    return {"schema": schema, "name": name, "parent": parent, **ATTRIBUTES[of_kind], **attributes}


def in_schema(rows: list[dict[str, Any]], schema: str) -> list[dict[str, Any]]:
    return [r for r in rows if r["schema"] == schema]


def server_version(conn: psycopg.Connection[Any]) -> int:
    return conn.info.server_version // 10000


def owner_acl(conn: psycopg.Connection[Any]) -> str:
    """The owner's full privileges on a table (PG 17 added MAINTAIN, 'm')."""
    return (
        "postgres=arwdDxtm/postgres" if server_version(conn) >= 17 else "postgres=arwdDxt/postgres"
    )


# --------------------------------------------------------------------------- contract


def test_every_kind_has_a_file() -> None:
    files = sorted(
        entry.name.removesuffix(".sql")
        for entry in (resources.files("migcheck") / "catalog").iterdir()
        if entry.name.endswith(".sql")
    )
    assert files == sorted(KINDS)


@pytest.mark.parametrize("kind", KINDS)
def test_columns_follow_the_contract(db: psycopg.Connection[Any], kind: str) -> None:
    cur = db.execute(query(kind), {"version_table": "alembic_version"})
    assert cur.description is not None
    names = [c.name for c in cur.description]
    assert names[:3] == ["schema", "name", "parent"]
    assert names[3:] == list(ATTRIBUTES[kind])
    for name in names:
        assert re.fullmatch(r"[a-z][a-z0-9_]*", name), name


@pytest.mark.parametrize("kind", KINDS)
def test_queries_contain_no_literal_percent(kind: str) -> None:
    # psycopg only turns %% into % when parameters are passed: avoid the question.
    assert "%" not in query(kind).replace("%(version_table)s", "")


def test_empty_database(db: psycopg.Connection[Any]) -> None:
    public_acl = (
        ["=U/pg_database_owner", "pg_database_owner=UC/pg_database_owner"]
        if server_version(db) >= 15
        else ["=UC/postgres", "postgres=UC/postgres"]
    )
    assert snapshot(db) == {
        **{kind: [] for kind in KINDS},
        "schema": [
            row("schema", "public", "public", comment="standard public schema", acl=public_acl)
        ],
        "extension": [
            row(
                "extension",
                "pg_catalog",
                "plpgsql",
                version="1.0",
                comment="PL/pgSQL procedural language",
            )
        ],
    }


# --------------------------------------------------------------------------- kinds


def test_extension_members_are_excluded(db: psycopg.Connection[Any]) -> None:
    db.execute(
        """
        CREATE EXTENSION citext;
        CREATE EXTENSION pgcrypto;
        CREATE SCHEMA app;
        CREATE TABLE app.users (email citext NOT NULL);
        """
    )
    rows = snapshot(db)
    versions = dict(
        db.execute(
            "SELECT name, default_version FROM pg_available_extensions"
            " WHERE name IN ('citext', 'pgcrypto')"
        ).fetchall()
    )
    assert rows["extension"] == [
        row(
            "extension",
            "pg_catalog",
            "plpgsql",
            version="1.0",
            comment="PL/pgSQL procedural language",
        ),
        row(
            "extension",
            "public",
            "citext",
            version=versions["citext"],
            comment="data type for case-insensitive character strings",
        ),
        row(
            "extension",
            "public",
            "pgcrypto",
            version=versions["pgcrypto"],
            comment="cryptographic functions",
        ),
    ]
    # citext's type, casts' functions, operators' functions, pgcrypto's functions: none
    for kind in (
        "function",
        "domain",
        "enum",
        "composite",
        "collation",
        "table",
        "view",
        "sequence",
    ):
        assert in_schema(rows[kind], "public") == [], kind
    assert rows["column"] == [
        row("column", "app", "email", "users", type="citext", not_null=True, position=1)
    ]


def test_schema(db: psycopg.Connection[Any]) -> None:
    db.execute(
        f"""
        CREATE SCHEMA app;
        COMMENT ON SCHEMA app IS 'the application';
        CREATE SCHEMA "Odd Name";
        GRANT USAGE ON SCHEMA "Odd Name" TO {READER};
        CREATE SCHEMA granted_and_revoked;
        GRANT USAGE ON SCHEMA granted_and_revoked TO {READER};
        REVOKE USAGE ON SCHEMA granted_and_revoked FROM {READER};
        CREATE TEMPORARY TABLE temp_table (a int);
        """
    )
    assert [r for r in fetch(db, "schema") if r["name"] != "public"] == [
        row("schema", "Odd Name", "Odd Name", acl=[f"{READER}=U/postgres", "postgres=UC/postgres"]),
        row("schema", "app", "app", comment="the application"),
        # the explicit ACL equal to the default reads as the default
        row("schema", "granted_and_revoked", "granted_and_revoked"),
    ]


def test_table(db: psycopg.Connection[Any]) -> None:
    db.execute(
        f"""
        CREATE SCHEMA app;
        CREATE SCHEMA other;
        CREATE TABLE app.plain (a int);
        COMMENT ON TABLE app.plain IS 'plain table';
        GRANT SELECT, INSERT ON app.plain TO {READER};
        CREATE UNLOGGED TABLE app.scratch (a int)
            WITH (fillfactor = 50, autovacuum_enabled = false);
        CREATE TABLE app.events (id int NOT NULL, at date NOT NULL) PARTITION BY RANGE (at);
        CREATE TABLE app.events_2024 PARTITION OF app.events
            FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
        CREATE TABLE other.events_rest PARTITION OF app.events DEFAULT;
        CREATE TABLE app.base (a int);
        CREATE TABLE other.mixin (b int);
        CREATE TABLE app.derived (c int) INHERITS (app.base, other.mixin);
        CREATE TABLE app.secured (a int);
        ALTER TABLE app.secured ENABLE ROW LEVEL SECURITY;
        ALTER TABLE app.secured FORCE ROW LEVEL SECURITY;
        ALTER TABLE app.secured REPLICA IDENTITY FULL;
        CREATE TABLE app.keyed (id int NOT NULL);
        CREATE UNIQUE INDEX keyed_id ON app.keyed (id);
        ALTER TABLE app.keyed REPLICA IDENTITY USING INDEX keyed_id;
        CREATE TYPE app.pair AS (x int, y int);
        CREATE TABLE app.typed OF app.pair;
        CREATE TABLE app.revoked (a int);
        GRANT SELECT ON app.revoked TO {READER};
        REVOKE SELECT ON app.revoked FROM {READER};
        CREATE VIEW app.not_a_table AS SELECT 1 AS one;
        """
    )
    table = "events_2024"
    assert fetch(db, "table") == [
        row("table", "app", "base"),
        row("table", "app", "derived", inherits=["base", "other.mixin"]),
        row(
            "table",
            "app",
            "events",
            kind="partitioned table",
            partition_key="RANGE (at)",
            access_method=None,
        ),
        row(
            "table",
            "app",
            table,
            partition_of="events",
            partition_bound="FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')",
        ),
        row("table", "app", "keyed", replica_identity="index keyed_id"),
        row(
            "table",
            "app",
            "plain",
            comment="plain table",
            acl=[f"{READER}=ar/postgres", owner_acl(db)],
        ),
        row("table", "app", "revoked"),
        row(
            "table",
            "app",
            "scratch",
            kind="unlogged table",
            options=["autovacuum_enabled=false", "fillfactor=50"],
        ),
        row("table", "app", "secured", rls_enabled=True, rls_forced=True, replica_identity="full"),
        row("table", "app", "typed", of_type="app.pair"),
        row("table", "other", "events_rest", partition_of="app.events", partition_bound="DEFAULT"),
        row("table", "other", "mixin"),
    ]


def test_column(db: psycopg.Connection[Any]) -> None:
    db.execute(
        f"""
        CREATE SCHEMA app;
        CREATE TABLE app.t (
            id int GENERATED ALWAYS AS IDENTITY (START WITH 10 INCREMENT BY 5 CACHE 3),
            serial_id bigserial,
            gone int,
            name varchar(100) NOT NULL DEFAULT 'anonymous',
            code text COLLATE "C",
            price numeric(10, 2) DEFAULT 0.5,
            taxed numeric GENERATED ALWAYS AS (price * 1.2) STORED,
            tags text[] DEFAULT '{{}}',
            seen timestamptz DEFAULT now(),
            ref int GENERATED BY DEFAULT AS IDENTITY (MAXVALUE 99 CYCLE)
        );
        ALTER TABLE app.t DROP COLUMN gone;
        COMMENT ON COLUMN app.t.name IS 'display name';
        GRANT SELECT (name, code) ON app.t TO {READER};
        GRANT UPDATE (price) ON app.t TO {READER};
        REVOKE UPDATE (price) ON app.t FROM {READER};
        CREATE VIEW app.v AS SELECT id, name FROM app.t;
        CREATE MATERIALIZED VIEW app.mv AS SELECT count(*) AS n FROM app.t;
        """
    )
    assert fetch(db, "column") == [
        row("column", "app", "n", "mv", type="bigint", position=1),
        row(
            "column",
            "app",
            "code",
            "t",
            type="text",
            collation='"C"',
            position=4,
            acl=[f"{READER}=r/postgres"],
        ),
        row(
            "column",
            "app",
            "id",
            "t",
            type="integer",
            not_null=True,
            identity="always",
            identity_options="START WITH 10 INCREMENT BY 5 MINVALUE 1 MAXVALUE 2147483647"
            " CACHE 3 NO CYCLE",
            position=1,
        ),
        row(
            "column",
            "app",
            "name",
            "t",
            type="character varying(100)",
            not_null=True,
            default="'anonymous'::character varying",
            position=3,
            acl=[f"{READER}=r/postgres"],
            comment="display name",
        ),
        row("column", "app", "price", "t", type="numeric(10,2)", default="0.5", position=5),
        row(
            "column",
            "app",
            "ref",
            "t",
            type="integer",
            not_null=True,
            identity="by default",
            identity_options="START WITH 1 INCREMENT BY 1 MINVALUE 1 MAXVALUE 99 CACHE 1 CYCLE",
            position=9,
        ),
        row(
            "column",
            "app",
            "seen",
            "t",
            type="timestamp with time zone",
            default="now()",
            position=8,
        ),
        row(
            "column",
            "app",
            "serial_id",
            "t",
            type="bigint",
            not_null=True,
            default="nextval('app.t_serial_id_seq'::regclass)",
            position=2,
        ),
        row("column", "app", "tags", "t", type="text[]", default="'{}'::text[]", position=7),
        row(
            "column",
            "app",
            "taxed",
            "t",
            type="numeric",
            generated="price * 1.2",
            generated_kind="stored",
            position=6,
        ),
        row("column", "app", "id", "v", type="integer", position=1),
        row("column", "app", "name", "v", type="character varying(100)", position=2),
    ]


def test_column_virtual_generated(db: psycopg.Connection[Any]) -> None:
    if server_version(db) < 18:
        pytest.skip("virtual generated columns need PostgreSQL 18")
    db.execute("CREATE TABLE t (a int, b int GENERATED ALWAYS AS (a + 1) VIRTUAL)")
    assert fetch(db, "column")[1] == row(
        "column",
        "public",
        "b",
        "t",
        type="integer",
        generated="a + 1",
        generated_kind="virtual",
        position=2,
    )


def test_constraint(db: psycopg.Connection[Any]) -> None:
    db.execute(
        """
        CREATE SCHEMA app;
        CREATE TABLE app.parent (
            id int PRIMARY KEY, code text, CONSTRAINT parent_code UNIQUE (code)
        );
        CREATE TABLE app.child (
            id int,
            parent_id int,
            qty int CONSTRAINT positive CHECK (qty > 0),
            a int, b int,
            CONSTRAINT child_parent FOREIGN KEY (parent_id) REFERENCES app.parent (id)
                ON DELETE CASCADE ON UPDATE SET NULL DEFERRABLE INITIALLY DEFERRED,
            CONSTRAINT child_ab EXCLUDE USING btree (a WITH =)
        );
        ALTER TABLE app.child ADD CONSTRAINT later CHECK (b < 10) NOT VALID;
        COMMENT ON CONSTRAINT positive ON app.child IS 'no empty lines';
        CREATE TABLE app.orders (id int, at date, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
        CREATE TABLE app.orders_2024 PARTITION OF app.orders
            FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
        CREATE TABLE app.lines (
            order_id int, at date, FOREIGN KEY (order_id, at) REFERENCES app.orders
        );
        CREATE DOMAIN app.posint AS int CHECK (VALUE > 0);
        """
    )
    assert fetch(db, "constraint") == [
        row(
            "constraint",
            "app",
            "child_ab",
            "child",
            type="exclusion",
            definition="EXCLUDE USING btree (a WITH =)",
        ),
        row(
            "constraint",
            "app",
            "child_parent",
            "child",
            type="foreign key",
            definition="FOREIGN KEY (parent_id) REFERENCES app.parent(id) ON UPDATE SET NULL"
            " ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED",
            deferrable=True,
            deferred=True,
        ),
        row(
            "constraint",
            "app",
            "later",
            "child",
            type="check",
            definition="CHECK (b < 10) NOT VALID",
            validated=False,
        ),
        row(
            "constraint",
            "app",
            "positive",
            "child",
            type="check",
            definition="CHECK (qty > 0)",
            comment="no empty lines",
        ),
        # not the internal extra row per referenced partition
        row(
            "constraint",
            "app",
            "lines_order_id_at_fkey",
            "lines",
            type="foreign key",
            definition="FOREIGN KEY (order_id, at) REFERENCES app.orders(id, at)",
        ),
        row(
            "constraint",
            "app",
            "orders_pkey",
            "orders",
            type="primary key",
            definition="PRIMARY KEY (id, at)",
        ),
        row(
            "constraint",
            "app",
            "orders_2024_pkey",
            "orders_2024",
            type="primary key",
            definition="PRIMARY KEY (id, at)",
        ),
        row(
            "constraint", "app", "parent_code", "parent", type="unique", definition="UNIQUE (code)"
        ),
        row(
            "constraint",
            "app",
            "parent_pkey",
            "parent",
            type="primary key",
            definition="PRIMARY KEY (id)",
        ),
    ]


def test_index(db: psycopg.Connection[Any]) -> None:
    db.execute(
        """
        CREATE EXTENSION pg_trgm;
        CREATE SCHEMA app;
        CREATE TABLE app.t (
            id int PRIMARY KEY, a text, b text COLLATE "C", c int, tags text[], note text,
            UNIQUE (c), EXCLUDE USING btree (note WITH =)
        );
        CREATE INDEX t_plain ON app.t (a);
        CREATE UNIQUE INDEX t_multi ON app.t (c DESC, a NULLS FIRST, b DESC NULLS LAST)
            INCLUDE (note, id);
        CREATE INDEX t_expr ON app.t (lower(a), (a || b) COLLATE "C", b COLLATE "default");
        CREATE INDEX t_ops ON app.t (a text_pattern_ops, b);
        CREATE INDEX t_partial ON app.t (c) WITH (fillfactor = 70) WHERE c > 0 AND a IS NOT NULL;
        CREATE INDEX t_gin ON app.t USING gin (tags);
        CREATE INDEX t_trgm ON app.t USING gist (a gist_trgm_ops (siglen = 32));
        COMMENT ON INDEX app.t_plain IS 'plain index';
        CREATE TABLE app.p (k int, v int) PARTITION BY LIST (k);
        CREATE TABLE app.p1 PARTITION OF app.p FOR VALUES IN (1);
        CREATE INDEX p_v ON app.p (v);
        CREATE MATERIALIZED VIEW app.mv AS SELECT c FROM app.t;
        CREATE INDEX mv_c ON app.mv (c);
        """
    )
    assert fetch(db, "index") == [
        row("index", "app", "mv_c", "mv", columns=["c"]),
        row("index", "app", "p_v", "p", columns=["v"]),
        row("index", "app", "p1_v_idx", "p1", columns=["v"], partition_of="p_v"),
        row(
            "index",
            "app",
            "t_expr",
            "t",
            columns=["lower(a)", '(a || b) COLLATE "C"', 'b COLLATE "default"'],
        ),
        row("index", "app", "t_gin", "t", method="gin", columns=["tags"]),
        row(
            "index",
            "app",
            "t_multi",
            "t",
            unique=True,
            columns=["c DESC", "a NULLS FIRST", "b DESC NULLS LAST"],
            include=["note", "id"],
        ),
        row("index", "app", "t_ops", "t", columns=["a text_pattern_ops", "b"]),
        row(
            "index",
            "app",
            "t_partial",
            "t",
            columns=["c"],
            predicate="c > 0 AND a IS NOT NULL",
            options=["fillfactor=70"],
        ),
        row("index", "app", "t_plain", "t", columns=["a"], comment="plain index"),
        row("index", "app", "t_trgm", "t", method="gist", columns=["a gist_trgm_ops (siglen=32)"]),
    ]


def test_index_nulls_not_distinct(db: psycopg.Connection[Any]) -> None:
    if server_version(db) < 15:
        pytest.skip("NULLS NOT DISTINCT needs PostgreSQL 15")
    db.execute(
        """
        CREATE TABLE t (a int, b int);
        CREATE UNIQUE INDEX t_a ON t (a) NULLS NOT DISTINCT;
        CREATE UNIQUE INDEX t_b ON t (b) NULLS DISTINCT;
        """
    )
    assert fetch(db, "index") == [
        row("index", "public", "t_a", "t", unique=True, columns=["a"], nulls_not_distinct=True),
        row("index", "public", "t_b", "t", unique=True, columns=["b"]),
    ]


def test_sequence(db: psycopg.Connection[Any]) -> None:
    db.execute(
        f"""
        CREATE SCHEMA app;
        CREATE SEQUENCE app.counter AS integer INCREMENT BY -2 MINVALUE -100 MAXVALUE 50
            START WITH 7 CACHE 10 CYCLE;
        COMMENT ON SEQUENCE app.counter IS 'counts down';
        GRANT USAGE ON SEQUENCE app.counter TO {READER};
        CREATE TABLE app.t (id serial, ident int GENERATED ALWAYS AS IDENTITY);
        CREATE SEQUENCE app.loose;
        CREATE TABLE app.u (n int);
        ALTER SEQUENCE app.loose OWNED BY app.u.n;
        """
    )
    assert fetch(db, "sequence") == [
        row(
            "sequence",
            "app",
            "counter",
            type="integer",
            start=7,
            increment=-2,
            min=-100,
            max=50,
            cache=10,
            cycle=True,
            acl=[f"{READER}=U/postgres", "postgres=rwU/postgres"],
            comment="counts down",
        ),
        row("sequence", "app", "loose", owned_by="u.n"),
        # t_ident_seq is an identity sequence: see column.identity_options
        row("sequence", "app", "t_id_seq", type="integer", max=2147483647, owned_by="t.id"),
    ]


def test_enum_domain_composite(db: psycopg.Connection[Any]) -> None:
    db.execute(
        """
        CREATE SCHEMA app;
        CREATE TYPE app.mood AS ENUM ('sad', 'ok');
        ALTER TYPE app.mood ADD VALUE 'happy';
        ALTER TYPE app.mood ADD VALUE 'meh' BEFORE 'ok';
        COMMENT ON TYPE app.mood IS 'how it feels';
        REVOKE USAGE ON TYPE app.mood FROM PUBLIC;
        CREATE DOMAIN app.posint AS integer NOT NULL DEFAULT 1
            CONSTRAINT positive CHECK (VALUE > 0) CONSTRAINT small CHECK (VALUE < 1000);
        ALTER DOMAIN app.posint ADD CONSTRAINT later CHECK (VALUE <> 13) NOT VALID;
        CREATE DOMAIN app.code AS varchar(10) COLLATE "C";
        CREATE TYPE app.pair AS (a integer, b text COLLATE "C", c app.mood, "Odd" numeric(5, 1));
        ALTER TYPE app.pair DROP ATTRIBUTE a;
        ALTER TYPE app.pair ADD ATTRIBUTE a bigint;
        CREATE TABLE app.not_a_composite (x int);
        CREATE VIEW app.neither AS SELECT 1 AS y;
        """
    )
    assert fetch(db, "enum") == [
        row(
            "enum",
            "app",
            "mood",
            labels=["sad", "meh", "ok", "happy"],
            acl=["postgres=U/postgres"],
            comment="how it feels",
        )
    ]
    assert fetch(db, "domain") == [
        row("domain", "app", "code", type="character varying(10)", collation='"C"'),
        row(
            "domain",
            "app",
            "posint",
            type="integer",
            not_null=True,
            default="1",
            checks=[
                "later: CHECK (VALUE <> 13) NOT VALID",
                "positive: CHECK (VALUE > 0)",
                "small: CHECK (VALUE < 1000)",
            ],
        ),
    ]
    assert fetch(db, "composite") == [
        row(
            "composite",
            "app",
            "pair",
            attributes=['b text COLLATE "C"', "c app.mood", '"Odd" numeric(5,1)', "a bigint"],
        )
    ]


def test_view(db: psycopg.Connection[Any]) -> None:
    db.execute(
        f"""
        CREATE SCHEMA app;
        CREATE TABLE app.t (a int, b int);
        CREATE VIEW app.v WITH (security_barrier) AS SELECT a, b FROM app.t WHERE a > 0
            WITH CASCADED CHECK OPTION;
        COMMENT ON VIEW app.v IS 'positive';
        GRANT SELECT ON app.v TO {READER};
        CREATE MATERIALIZED VIEW app.mv AS SELECT a FROM app.t WITH NO DATA;
        """
    )
    qualify = (
        "" if server_version(db) >= 16 else "t."
    )  # PG 16 stopped qualifying single-table columns
    assert fetch(db, "view") == [
        row(
            "view", "app", "mv", materialized=True, definition=f" SELECT {qualify}a\n   FROM app.t;"
        ),
        row(
            "view",
            "app",
            "v",
            definition=f" SELECT {qualify}a,\n    {qualify}b\n   FROM app.t\n"
            f"  WHERE {qualify}a > 0;",
            options=["check_option=cascaded", "security_barrier=true"],
            acl=[f"{READER}=r/postgres", owner_acl(db)],
            comment="positive",
        ),
    ]


def test_function(db: psycopg.Connection[Any]) -> None:
    db.execute(
        f"""
        CREATE SCHEMA app;
        CREATE FUNCTION app.add(a integer, b integer DEFAULT 1) RETURNS integer
            LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF AS 'SELECT a + b';
        CREATE FUNCTION app.add(a text) RETURNS text LANGUAGE sql AS $$SELECT a || a$$;
        COMMENT ON FUNCTION app.add(text) IS 'doubles';
        CREATE FUNCTION app.secret() RETURNS SETOF int LANGUAGE plpgsql STABLE SECURITY DEFINER
            COST 5 ROWS 20 SET search_path = app, pg_temp SET work_mem = '1MB'
            AS $$BEGIN RETURN NEXT 1; END$$;
        REVOKE EXECUTE ON FUNCTION app.secret() FROM PUBLIC;
        GRANT EXECUTE ON FUNCTION app.secret() TO {READER};
        CREATE PROCEDURE app.bump(INOUT n int) LANGUAGE plpgsql AS $$BEGIN n := n + 1; END$$;
        CREATE AGGREGATE app.total(integer) (SFUNC = int4pl, STYPE = integer, INITCOND = '0');
        """
    )
    assert fetch(db, "function") == [
        row(
            "function",
            "app",
            "add(a integer, b integer)",
            arguments="a integer, b integer DEFAULT 1",
            returns="integer",
            body="SELECT a + b",
            volatility="immutable",
            strict=True,
            leakproof=True,
            parallel="safe",
        ),
        row(
            "function",
            "app",
            "add(a text)",
            arguments="a text",
            returns="text",
            body="SELECT a || a",
            comment="doubles",
        ),
        row(
            "function",
            "app",
            "bump(INOUT n integer)",
            kind="procedure",
            arguments="INOUT n integer",
            language="plpgsql",
            body="BEGIN n := n + 1; END",
        ),
        row(
            "function",
            "app",
            "secret()",
            returns="SETOF integer",
            language="plpgsql",
            body="BEGIN RETURN NEXT 1; END",
            volatility="stable",
            security_definer=True,
            cost="5",
            rows="20",
            config=["search_path=app, pg_temp", "work_mem=1MB"],
            acl=[f"{READER}=X/postgres", "postgres=X/postgres"],
        ),
        row(
            "function",
            "app",
            "total(integer)",
            kind="aggregate",
            arguments="integer",
            returns="integer",
            language="internal",
            body="SFUNC = int4pl, STYPE = integer, INITCOND = '0'",
            volatility="immutable",
            cost="1",
        ),
    ]


def test_function_sql_standard_body(db: psycopg.Connection[Any]) -> None:
    if server_version(db) < 14:
        pytest.skip("SQL-standard function bodies need PostgreSQL 14")
    db.execute(
        """
        CREATE FUNCTION twice(a int) RETURNS int LANGUAGE sql IMMUTABLE RETURN a * 2;
        CREATE FUNCTION both_(a int) RETURNS SETOF int LANGUAGE sql
        BEGIN ATOMIC
            SELECT a;
            SELECT a + 1;
        END;
        """
    )
    assert fetch(db, "function") == [
        row(
            "function",
            "public",
            "both_(a integer)",
            arguments="a integer",
            returns="SETOF integer",
            body="BEGIN ATOMIC\n SELECT a AS a;\n SELECT (a + 1);\nEND",
            rows="1000",
        ),
        row(
            "function",
            "public",
            "twice(a integer)",
            arguments="a integer",
            returns="integer",
            body="RETURN (a * 2)",
            volatility="immutable",
        ),
    ]


def test_trigger(db: psycopg.Connection[Any]) -> None:
    db.execute(
        r"""
        CREATE SCHEMA app;
        CREATE FUNCTION app.touch() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;
        CREATE TABLE app.t (id int PRIMARY KEY, a int, b int);
        CREATE TABLE app.r (t_id int REFERENCES app.t);
        CREATE TRIGGER t_row BEFORE INSERT OR UPDATE OF b, a ON app.t FOR EACH ROW
            WHEN (NEW.a IS DISTINCT FROM 0)
            EXECUTE FUNCTION app.touch('x', 'it''s', 'back\slash', 'ü', '');
        CREATE TRIGGER t_stmt AFTER DELETE OR TRUNCATE ON app.t FOR EACH STATEMENT
            EXECUTE FUNCTION app.touch();
        CREATE TRIGGER t_trans AFTER UPDATE ON app.t
            REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
            FOR EACH STATEMENT EXECUTE FUNCTION app.touch();
        ALTER TABLE app.t DISABLE TRIGGER t_stmt;
        ALTER TABLE app.t ENABLE ALWAYS TRIGGER t_trans;
        COMMENT ON TRIGGER t_row ON app.t IS 'touches';
        CREATE CONSTRAINT TRIGGER t_late AFTER INSERT ON app.t DEFERRABLE INITIALLY DEFERRED
            FOR EACH ROW EXECUTE FUNCTION app.touch();
        CREATE VIEW app.v AS SELECT id FROM app.t;
        CREATE TRIGGER v_instead INSTEAD OF INSERT ON app.v FOR EACH ROW
            EXECUTE FUNCTION app.touch();
        CREATE TABLE app.p (k int) PARTITION BY LIST (k);
        CREATE TABLE app.p1 PARTITION OF app.p FOR VALUES IN (1);
        CREATE TRIGGER p_row AFTER INSERT ON app.p FOR EACH ROW EXECUTE FUNCTION app.touch();
        """
    )
    assert fetch(db, "trigger") == [
        row(
            "trigger", "app", "p_row", "p", timing="AFTER", events=["INSERT"], function="app.touch"
        ),
        # the clone on the partition (flagged internal on PG 13, not later)
        row(
            "trigger", "app", "p_row", "p1", timing="AFTER", events=["INSERT"], function="app.touch"
        ),
        row(
            "trigger",
            "app",
            "t_late",
            "t",
            timing="AFTER",
            events=["INSERT"],
            function="app.touch",
            constraint=True,
            deferrable=True,
            deferred=True,
        ),
        row(
            "trigger",
            "app",
            "t_row",
            "t",
            timing="BEFORE",
            events=["INSERT", "UPDATE"],
            columns=["a", "b"],
            function="app.touch",
            arguments=["x", "it's", "back\\slash", "ü", ""],
            when="new.a IS DISTINCT FROM 0",
            comment="touches",
        ),
        row(
            "trigger",
            "app",
            "t_stmt",
            "t",
            timing="AFTER",
            events=["DELETE", "TRUNCATE"],
            level="statement",
            function="app.touch",
            enabled="disabled",
        ),
        row(
            "trigger",
            "app",
            "t_trans",
            "t",
            timing="AFTER",
            events=["UPDATE"],
            level="statement",
            function="app.touch",
            referencing="OLD TABLE AS old_rows NEW TABLE AS new_rows",
            enabled="always",
        ),
        row(
            "trigger",
            "app",
            "v_instead",
            "v",
            timing="INSTEAD OF",
            events=["INSERT"],
            function="app.touch",
        ),
    ]


def test_policy(db: psycopg.Connection[Any]) -> None:
    db.execute(
        f"""
        CREATE TABLE docs (owner text, body text);
        ALTER TABLE docs ENABLE ROW LEVEL SECURITY;
        CREATE POLICY read_own ON docs FOR SELECT TO {READER}, postgres
            USING (owner = current_user);
        CREATE POLICY write_some ON docs AS RESTRICTIVE FOR UPDATE
            USING (body IS NOT NULL) WITH CHECK (length(body) < 100);
        CREATE POLICY everything ON docs;
        COMMENT ON POLICY everything ON docs IS 'open';
        """
    )
    assert fetch(db, "policy") == [
        row("policy", "public", "everything", "docs", comment="open"),
        row(
            "policy",
            "public",
            "read_own",
            "docs",
            command="SELECT",
            roles=[READER, "postgres"],
            using="owner = CURRENT_USER",
        ),
        row(
            "policy",
            "public",
            "write_some",
            "docs",
            command="UPDATE",
            permissive=False,
            using="body IS NOT NULL",
            with_check="length(body) < 100",
        ),
    ]


def test_rule_statistics_default_acl_event_trigger(db: psycopg.Connection[Any]) -> None:
    db.execute(
        f"""
        CREATE TABLE t (a int, b int);
        CREATE TABLE log (a int);
        CREATE RULE t_log AS ON INSERT TO t DO ALSO INSERT INTO log VALUES (NEW.a);
        COMMENT ON RULE t_log ON t IS 'audit';
        CREATE STATISTICS t_ab (dependencies, ndistinct) ON a, b FROM t;
        ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO {READER};
        ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE ON SEQUENCES TO {READER};
        CREATE FUNCTION on_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$BEGIN END$$;
        CREATE EVENT TRIGGER ddl_watch ON ddl_command_end WHEN TAG IN ('DROP TABLE', 'CREATE TABLE')
            EXECUTE FUNCTION on_ddl();
        ALTER EVENT TRIGGER ddl_watch DISABLE;
        """
    )
    assert fetch(db, "rule") == [
        row(
            "rule",
            "public",
            "t_log",
            "t",
            event="INSERT",
            definition="CREATE RULE t_log AS\n    ON INSERT TO t DO  INSERT INTO log (a)\n"
            "  VALUES (new.a);",
            comment="audit",
        )
    ]
    assert fetch(db, "statistics") == [
        row(
            "statistics",
            "public",
            "t_ab",
            "t",
            definition="CREATE STATISTICS public.t_ab (ndistinct, dependencies) ON a, b FROM t",
        )
    ]
    assert fetch(db, "default_acl") == [
        row("default_acl", "", "tables", "postgres", acl=[f"{READER}=r/postgres", owner_acl(db)]),
        row("default_acl", "public", "sequences", "postgres", acl=[f"{READER}=U/postgres"]),
    ]
    assert fetch(db, "event_trigger") == [
        row(
            "event_trigger",
            "",
            "ddl_watch",
            event="ddl_command_end",
            tags=["CREATE TABLE", "DROP TABLE"],
            function="public.on_ddl",
            enabled="disabled",
        )
    ]


def test_collation(db: psycopg.Connection[Any]) -> None:
    db.execute(
        """
        CREATE COLLATION bytes (provider = libc, locale = 'C');
        COMMENT ON COLLATION bytes IS 'memcmp';
        """
    )
    expected = [
        row(
            "collation",
            "public",
            "bytes",
            provider="libc",
            lc_collate="C",
            lc_ctype="C",
            comment="memcmp",
        )
    ]
    if db.execute("SELECT 1 FROM pg_collation WHERE collprovider = 'i' LIMIT 1").fetchone():
        db.execute(
            "CREATE COLLATION german (provider = icu, locale = 'de-DE', deterministic = false)"
        )
        if server_version(db) >= 15:  # the ICU locale has its own column
            icu = {"locale": "de-DE"}
        else:
            icu = {"lc_collate": "de-DE", "lc_ctype": "de-DE"}
        expected.append(
            row("collation", "public", "german", provider="icu", deterministic=False, **icu)
        )
    assert fetch(db, "collation") == expected


# --------------------------------------------------------------------------- exclusions


def test_version_table_is_excluded(db: psycopg.Connection[Any]) -> None:
    db.execute(
        """
        CREATE SCHEMA app;
        CREATE TABLE alembic_version (
            version_num varchar(32) NOT NULL CONSTRAINT alembic_version_pkc PRIMARY KEY
        );
        CREATE TABLE app.alembic_version (version_num varchar(32) PRIMARY KEY);
        CREATE INDEX alembic_version_extra ON app.alembic_version (lower(version_num));
        COMMENT ON TABLE app.alembic_version IS 'versions';
        CREATE TABLE my_versions (version_num varchar(32) PRIMARY KEY);
        """
    )
    rows = snapshot(db)
    assert [r["name"] for r in rows["table"]] == ["my_versions"]
    assert [(r["parent"], r["name"]) for r in rows["column"]] == [("my_versions", "version_num")]
    assert [r["name"] for r in rows["constraint"]] == ["my_versions_pkey"]
    assert rows["index"] == []
    # another version table name
    custom = {
        kind: fetch(db, kind, version_table="my_versions")
        for kind in ("table", "column", "constraint")
    }
    assert [(r["schema"], r["name"]) for r in custom["table"]] == [
        ("app", "alembic_version"),
        ("public", "alembic_version"),
    ]
    assert {r["parent"] for r in custom["column"] + custom["constraint"]} == {"alembic_version"}


def test_temporary_objects_are_excluded(db: psycopg.Connection[Any]) -> None:
    db.execute(
        """
        CREATE TEMPORARY TABLE tmp (id serial PRIMARY KEY, a int CHECK (a > 0));
        CREATE INDEX ON tmp (a);
        CREATE TEMPORARY VIEW tmp_view AS SELECT 1 AS one;
        CREATE FUNCTION pg_temp.tmp_function() RETURNS int LANGUAGE sql AS 'SELECT 1';
        """
    )
    rows = snapshot(db)
    assert {
        kind: found for kind, found in rows.items() if kind not in ("schema", "extension") and found
    } == {}
    assert [r["name"] for r in rows["schema"]] == ["public"]


def test_privileges_revoked_back_to_the_default_read_as_none(db: psycopg.Connection[Any]) -> None:
    db.execute(
        f"""
        CREATE TABLE t (a int);
        CREATE SEQUENCE s;
        CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';
        CREATE TYPE e AS ENUM ('x');
        GRANT SELECT ON t TO {READER};
        GRANT SELECT (a) ON t TO {READER};
        GRANT USAGE ON SEQUENCE s TO {READER};
        REVOKE EXECUTE ON FUNCTION f() FROM PUBLIC;
        REVOKE USAGE ON TYPE e FROM PUBLIC;
        REVOKE SELECT ON t FROM {READER};
        REVOKE SELECT (a) ON t FROM {READER};
        REVOKE USAGE ON SEQUENCE s FROM {READER};
        GRANT EXECUTE ON FUNCTION f() TO PUBLIC;
        GRANT USAGE ON TYPE e TO PUBLIC;
        """
    )
    assert db.execute("SELECT relacl IS NOT NULL FROM pg_class WHERE relname = 't'").fetchone() == (
        True,
    )
    rows = snapshot(db)
    for kind in ("table", "column", "sequence", "function", "enum"):
        assert [r["acl"] for r in rows[kind]] == [None], kind


# --------------------------------------------------------------------------- stability

STABILITY_SETUP = f"""
CREATE EXTENSION citext;
CREATE EXTENSION pgcrypto;
CREATE SCHEMA app;
COMMENT ON SCHEMA app IS 'application';
ALTER DEFAULT PRIVILEGES IN SCHEMA app GRANT SELECT ON TABLES TO {READER};
CREATE SCHEMA spare;
COMMENT ON SCHEMA spare IS 'spare';
GRANT USAGE ON SCHEMA spare TO {READER};
CREATE TYPE app.mood AS ENUM ('sad', 'ok');
CREATE TYPE app.level AS ENUM ('low', 'high');
COMMENT ON TYPE app.level IS 'levels';
CREATE DOMAIN app.posint AS int DEFAULT 1 CHECK (VALUE > 0);
CREATE DOMAIN app.short AS varchar(10) COLLATE "C" NOT NULL
    CONSTRAINT not_blank CHECK (VALUE <> '');
CREATE TYPE app.pair AS (x int, y text COLLATE "C");
CREATE COLLATION app.bytes (provider = libc, locale = 'C');
CREATE SEQUENCE app.counter START 5 INCREMENT 3;
GRANT USAGE ON SEQUENCE app.counter TO {READER};
CREATE TABLE app.t (
    id int GENERATED ALWAYS AS IDENTITY (START WITH 7) PRIMARY KEY,
    name citext NOT NULL UNIQUE,
    mood app.mood DEFAULT 'ok',
    n app.posint,
    code text COLLATE "C" CONSTRAINT t_code CHECK (code <> ''),
    s serial
);
COMMENT ON COLUMN app.t.name IS 'the name';
CREATE TABLE app.c (
    id int REFERENCES app.t ON DELETE CASCADE, v int, w int GENERATED ALWAYS AS (v * 2) STORED
);
COMMENT ON TABLE app.c IS 'children';
GRANT SELECT (v) ON app.c TO {READER};
CREATE INDEX c_v ON app.c (v DESC, lower(w::text)) INCLUDE (id) WHERE v > 0;
CREATE VIEW app.v WITH (security_barrier) AS SELECT id, name FROM app.t;
GRANT SELECT ON app.v TO {READER};
CREATE MATERIALIZED VIEW app.mv AS SELECT count(*) AS n FROM app.c;
CREATE FUNCTION app.f(a int, b int DEFAULT 2) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT a + b';
CREATE FUNCTION app.trg() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;
CREATE TRIGGER c_trg BEFORE INSERT OR UPDATE OF v ON app.c FOR EACH ROW WHEN (NEW.v > 0)
    EXECUTE FUNCTION app.trg('x', 'y');
COMMENT ON TRIGGER c_trg ON app.c IS 'trigger';
ALTER TABLE app.c ENABLE ROW LEVEL SECURITY;
CREATE POLICY c_pol ON app.c FOR SELECT TO {READER} USING (v > 0);
CREATE RULE c_rule AS ON DELETE TO app.c DO ALSO NOTIFY c;
CREATE STATISTICS app.c_st ON id, v FROM app.c;
CREATE FUNCTION app.on_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$BEGIN END$$;
CREATE EVENT TRIGGER watch ON ddl_command_end EXECUTE FUNCTION app.on_ddl();
"""

# (what, drop, create again): each pair leaves the database as it was
RECREATIONS = {
    "schema": (
        "DROP SCHEMA spare",
        "CREATE SCHEMA spare; COMMENT ON SCHEMA spare IS 'spare';"
        f" GRANT USAGE ON SCHEMA spare TO {READER}",
    ),
    "extension": ("DROP EXTENSION pgcrypto", "CREATE EXTENSION pgcrypto"),
    "table": (
        "DROP TABLE app.c CASCADE",
        f"""
        CREATE TABLE app.c (
            id int REFERENCES app.t ON DELETE CASCADE, v int,
            w int GENERATED ALWAYS AS (v * 2) STORED
        );
        COMMENT ON TABLE app.c IS 'children';
        GRANT SELECT (v) ON app.c TO {READER};
        CREATE INDEX c_v ON app.c (v DESC, lower(w::text)) INCLUDE (id) WHERE v > 0;
        CREATE MATERIALIZED VIEW app.mv AS SELECT count(*) AS n FROM app.c;
        CREATE TRIGGER c_trg BEFORE INSERT OR UPDATE OF v ON app.c FOR EACH ROW WHEN (NEW.v > 0)
            EXECUTE FUNCTION app.trg('x', 'y');
        COMMENT ON TRIGGER c_trg ON app.c IS 'trigger';
        ALTER TABLE app.c ENABLE ROW LEVEL SECURITY;
        CREATE POLICY c_pol ON app.c FOR SELECT TO {READER} USING (v > 0);
        CREATE RULE c_rule AS ON DELETE TO app.c DO ALSO NOTIFY c;
        CREATE STATISTICS app.c_st ON id, v FROM app.c;
        """,
    ),
    "column": (
        "ALTER TABLE app.t DROP COLUMN s",
        "ALTER TABLE app.t ADD COLUMN s serial",
    ),
    "constraint": (
        "ALTER TABLE app.t DROP CONSTRAINT t_code",
        "ALTER TABLE app.t ADD CONSTRAINT t_code CHECK (code <> '')",
    ),
    "foreign key": (
        "ALTER TABLE app.c DROP CONSTRAINT c_id_fkey",
        "ALTER TABLE app.c ADD FOREIGN KEY (id) REFERENCES app.t ON DELETE CASCADE",
    ),
    "index": (
        "DROP INDEX app.c_v",
        "CREATE INDEX c_v ON app.c (v DESC, lower(w::text)) INCLUDE (id) WHERE v > 0",
    ),
    "sequence": (
        "DROP SEQUENCE app.counter",
        "CREATE SEQUENCE app.counter START 5 INCREMENT 3;"
        f" GRANT USAGE ON SEQUENCE app.counter TO {READER}",
    ),
    "enum": (
        "DROP TYPE app.level",
        "CREATE TYPE app.level AS ENUM ('low', 'high'); COMMENT ON TYPE app.level IS 'levels'",
    ),
    "domain": (
        "DROP DOMAIN app.short",
        """CREATE DOMAIN app.short AS varchar(10) COLLATE "C" NOT NULL
            CONSTRAINT not_blank CHECK (VALUE <> '')""",
    ),
    "composite": ("DROP TYPE app.pair", 'CREATE TYPE app.pair AS (x int, y text COLLATE "C")'),
    "collation": (
        "DROP COLLATION app.bytes",
        "CREATE COLLATION app.bytes (provider = libc, locale = 'C')",
    ),
    "view": (
        "DROP VIEW app.v",
        "CREATE VIEW app.v WITH (security_barrier) AS SELECT id, name FROM app.t;"
        f" GRANT SELECT ON app.v TO {READER}",
    ),
    "function": (
        "DROP FUNCTION app.f(int, int)",
        "CREATE FUNCTION app.f(a int, b int DEFAULT 2) RETURNS int LANGUAGE sql IMMUTABLE"
        " AS 'SELECT a + b'",
    ),
    "trigger": (
        "DROP TRIGGER c_trg ON app.c",
        """CREATE TRIGGER c_trg BEFORE INSERT OR UPDATE OF v ON app.c FOR EACH ROW WHEN (NEW.v > 0)
            EXECUTE FUNCTION app.trg('x', 'y');
        COMMENT ON TRIGGER c_trg ON app.c IS 'trigger'""",
    ),
    "policy": (
        "DROP POLICY c_pol ON app.c",
        f"CREATE POLICY c_pol ON app.c FOR SELECT TO {READER} USING (v > 0)",
    ),
    "rule": (
        "DROP RULE c_rule ON app.c",
        "CREATE RULE c_rule AS ON DELETE TO app.c DO ALSO NOTIFY c",
    ),
    "statistics": ("DROP STATISTICS app.c_st", "CREATE STATISTICS app.c_st ON id, v FROM app.c"),
    "default_acl": (
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA app REVOKE SELECT ON TABLES FROM {READER}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA app GRANT SELECT ON TABLES TO {READER}",
    ),
    "event_trigger": (
        "DROP EVENT TRIGGER watch",
        "CREATE EVENT TRIGGER watch ON ddl_command_end EXECUTE FUNCTION app.on_ddl()",
    ),
}


@pytest.mark.parametrize("what", sorted(RECREATIONS))
def test_dropping_and_recreating_gives_identical_rows(
    db: psycopg.Connection[Any], what: str
) -> None:
    db.execute(STABILITY_SETUP)
    before = snapshot(db)
    drop, create = RECREATIONS[what]
    db.execute(drop)
    assert snapshot(db) != before  # the object was really gone...
    db.execute(create)
    assert snapshot(db) == before  # ...and is back exactly as it was


def test_everything_recreated_gives_identical_rows(db: psycopg.Connection[Any]) -> None:
    db.execute(STABILITY_SETUP)
    before = snapshot(db)
    assert all(before[kind] for kind in KINDS), [kind for kind in KINDS if not before[kind]]
    db.execute(
        f"""
        DROP EVENT TRIGGER watch;
        ALTER DEFAULT PRIVILEGES IN SCHEMA app REVOKE SELECT ON TABLES FROM {READER};
        DROP SCHEMA app, spare CASCADE;
        DROP EXTENSION citext, pgcrypto;
        """
    )
    db.execute(STABILITY_SETUP)
    assert snapshot(db) == before


# --------------------------------------------------------------------------- speed


def hundred_tables() -> str:
    """~100 tables with what Alembic projects usually have, and a few of everything else."""
    sql = [
        "CREATE EXTENSION citext;",
        "CREATE SCHEMA app;",
        "CREATE TYPE app.status AS ENUM ('new', 'active', 'done');",
        "CREATE DOMAIN app.money AS numeric(12, 2) CHECK (VALUE >= 0);",
        "CREATE FUNCTION app.touch() RETURNS trigger LANGUAGE plpgsql"
        " AS $$BEGIN RETURN NEW; END$$;",
    ]
    for i in range(100):
        key = (
            "id serial PRIMARY KEY"
            if i % 2
            else "id int GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"
        )
        parent = f",\n  parent_id int REFERENCES app.t{i - 1} (id) ON DELETE SET NULL" if i else ""
        sql.append(
            f"""CREATE TABLE app.t{i} (
  {key},
  code citext NOT NULL UNIQUE,
  name varchar(100) DEFAULT 'n{i}',
  status app.status NOT NULL DEFAULT 'new',
  amount app.money,
  created_at timestamptz NOT NULL DEFAULT now(),
  payload jsonb,
  flag boolean DEFAULT false{parent},
  CHECK (length(code) > 2)
);
COMMENT ON TABLE app.t{i} IS 'table {i}';
CREATE INDEX t{i}_created ON app.t{i} (created_at DESC) WHERE flag;"""
        )
        if i:
            sql.append(f"CREATE INDEX t{i}_parent ON app.t{i} (parent_id);")
        if i % 10 == 0:
            sql.append(f"CREATE INDEX t{i}_name ON app.t{i} (lower(name));")
            sql.append(
                f"CREATE TRIGGER t{i}_touch BEFORE UPDATE ON app.t{i} FOR EACH ROW"
                " EXECUTE FUNCTION app.touch();"
            )
            sql.append(f"CREATE VIEW app.v{i} AS SELECT id, code FROM app.t{i} WHERE flag;")
            sql.append(
                f"CREATE FUNCTION app.f{i}(a int) RETURNS int LANGUAGE sql STABLE"
                f" AS 'SELECT a + {i}';"
            )
    return "\n".join(sql)


def test_speed_on_a_hundred_tables(
    db: psycopg.Connection[Any], capsys: pytest.CaptureFixture[str]
) -> None:
    db.execute(hundred_tables())
    params = {"version_table": "alembic_version"}
    queries = [(kind, query(kind)) for kind in KINDS]

    def take() -> dict[str, int]:
        # as migcheck.snapshot.Catalog.take does it: one transaction, one pipeline
        with db.transaction(), db.pipeline():
            cursors = [(kind, db.execute(sql, params)) for kind, sql in queries]
        return {kind: len(cursor.fetchall()) for kind, cursor in cursors}

    started = time.perf_counter()
    counts = take()
    first = time.perf_counter() - started
    times = []
    for _ in range(30):  # psycopg prepares a statement on its 6th execution
        started = time.perf_counter()
        take()
        times.append(time.perf_counter() - started)
    times.sort()
    per_kind = {}
    for kind, sql in queries:
        best = float("inf")
        for _ in range(10):
            started = time.perf_counter()
            db.execute(sql, params).fetchall()
            best = min(best, time.perf_counter() - started)
        per_kind[kind] = best
    with capsys.disabled():
        print(
            f"\ncatalog snapshot of 100 tables on PostgreSQL {server_version(db)}:"
            f" first {first * 1000:.1f} ms, then min {times[0] * 1000:.1f}"
            f" / median {times[len(times) // 2] * 1000:.1f} ms per snapshot"
        )
        print(
            "  slowest kinds (ms): "
            + ", ".join(
                f"{kind} {t * 1000:.2f}"
                for kind, t in sorted(per_kind.items(), key=lambda kv: -kv[1])[:6]
            )
        )
        print(f"  rows: {counts}")
    assert counts["table"] == 100
    assert counts["column"] == 100 * 8 + 99 + 10 * 2
    assert counts["constraint"] == 100 * 3 + 99
    assert counts["index"] == 100 + 99 + 10
    # generous: only catches a plan gone quadratic, not a slow machine
    assert times[len(times) // 2] < 0.5
    # Estimated costs stay well below jit_above_cost (100000 by default): JIT compiling
    # one of these queries costs ~1 s on builds with LLVM (the snapshot session should
    # run with jit = off anyway).
    for kind, sql in queries:
        plan = db.execute(f"EXPLAIN (FORMAT JSON) {sql}", params).fetchone()[0]  # type: ignore[index]
        assert plan[0]["Plan"]["Total Cost"] < 50000, kind
