"""migcheck.fixes: the SQL a downgrade is missing, as lines to paste into downgrade().

Pure: hand-built diff records of every catalog kind (left behind, lost, changed) give
the exact lines. On a real server: scenarios of every kind built in a scratch database,
the suggestion run through Alembic's own ``op.execute``, the schema read again; and
every fixture project whose expected.json lists MC201 or MC203, with the suggestion
pasted into the blamed revision's downgrade(), walked again: the finding is gone.
"""

from __future__ import annotations

import ast
import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest
import sqlalchemy
from alembic.migration import MigrationContext
from alembic.operations import Operations
from cases import case_config
from sqlalchemy.dialects import postgresql

from migcheck import check
from migcheck.codes import Code
from migcheck.config import Config
from migcheck.diff import Added, Changed, Difference, Removed, diff, is_reordering, render_all
from migcheck.findings import Finding
from migcheck.fixes import suggest
from migcheck.fixes.acl import grants
from migcheck.fixes.sql import Note, Sql, ident, python
from migcheck.provision import Server, scratch_database
from migcheck.snapshot import Catalog, Key, SchemaObject

# --------------------------------------------------------------------------- records


def obj(
    of_kind: str, name: str, parent: str = "", schema: str = "public", /, **attributes: Any
) -> SchemaObject:
    return SchemaObject(Key(of_kind, schema, name, parent), tuple(sorted(attributes.items())))


def col(table: str, name: str, type_: str, position: int, /, **attributes: Any) -> SchemaObject:
    plain = {
        "type": type_,
        "not_null": False,
        "default": None,
        "identity": None,
        "identity_options": None,
        "generated": None,
        "generated_kind": None,
        "collation": None,
        "position": position,
        "acl": None,
        "comment": None,
    }
    return obj("column", name, table, **{**plain, **attributes})


def changed(
    of_kind: str,
    name: str,
    attribute: str,
    old: Any,
    new: Any,
    parent: str = "",
    schema: str = "public",
    *,
    materialized: bool = False,
) -> Changed:
    return Changed(Key(of_kind, schema, name, parent), attribute, old, new, materialized)


def lines(*changes: Difference, code: str = "MC201", pg: int | None = 18) -> tuple[str, ...]:
    return suggest(Finding(code, "message", revision="0002", pg_version=pg, changes=changes))


TABLE = {
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
}
INDEX = {
    "unique": False,
    "method": "btree",
    "columns": ("placed_at",),
    "include": None,
    "predicate": None,
    "nulls_not_distinct": False,
    "partition_of": None,
    "tablespace": None,
    "options": None,
    "comment": None,
}
SEQUENCE = {
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
}
FUNCTION = {
    "kind": "function",
    "arguments": "value text",
    "returns": "text",
    "language": "plpgsql",
    "body": "\nBEGIN\n  RETURN lower(value);\nEND\n",
    "volatility": "immutable",
    "strict": False,
    "security_definer": False,
    "leakproof": False,
    "parallel": "unsafe",
    "cost": "100",
    "rows": None,
    "config": None,
    "acl": None,
    "comment": None,
}
TRIGGER = {
    "timing": "BEFORE",
    "events": ("UPDATE",),
    "columns": None,
    "level": "row",
    "function": "public.touch_updated_at",
    "arguments": None,
    "when": None,
    "referencing": None,
    "enabled": "origin",
    "constraint": False,
    "deferrable": False,
    "deferred": False,
    "comment": None,
}
VIEW = {
    "materialized": False,
    "definition": " SELECT id,\n    email\n   FROM users\n  WHERE deleted_at IS NULL;",
    "options": None,
    "acl": None,
    "comment": None,
}
POLICY = {
    "command": "UPDATE",
    "permissive": True,
    "roles": ("public",),
    "using": "owner = CURRENT_USER",
    "with_check": None,
    "comment": None,
}
RULE = {
    "event": "DELETE",
    "instead": True,
    "definition": "CREATE RULE keep AS\n    ON DELETE TO notes DO INSTEAD NOTHING;",
    "enabled": "origin",
    "comment": None,
}
STATISTICS = {
    "definition": "CREATE STATISTICS public.st_notes (ndistinct) ON a, b FROM notes",
    "comment": None,
}
ENUM = {"labels": ("happy", "sad"), "acl": None, "comment": None}
PKEY = {"type": "primary key", "definition": "PRIMARY KEY (id)", "comment": None}
IDENTITY = "START WITH 1 INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 CACHE 1 NO CYCLE"


# --------------------------------------------------------------------------- what each code gets


def test_mc202_and_the_other_codes_get_nothing() -> None:
    leftover = Added(obj("enum", "mood", **ENUM))
    assert lines(leftover, code="MC202") == ()
    assert lines(leftover, code="MC303") == ()
    assert lines(leftover, code="MC204") == ()


def test_a_finding_without_records_gets_nothing() -> None:
    finding = Finding(Code.MC201, "m", revision="0002", diff=("+ enum type mood ('a')",))
    assert suggest(finding) == ()


# --------------------------------------------------------------------------- every kind, exactly

# (records, lines): MC201's records say "before the upgrade" -> "after the downgrade".
CASES: dict[str, tuple[tuple[Difference, ...], tuple[str, ...]]] = {
    "drop table": (
        (Added(obj("table", "orders", **TABLE)),),
        ('op.execute("DROP TABLE orders")',),
    ),
    "drop table with its parts": (
        (
            Added(obj("table", "orders", **TABLE)),
            Added(col("orders", "id", "integer", 1)),
            Added(obj("index", "ix_orders_id", "orders", **INDEX)),
            Added(
                obj(
                    "constraint",
                    "orders_pkey",
                    "orders",
                    type="primary key",
                    definition="PRIMARY KEY (id)",
                )
            ),
            Added(obj("trigger", "trg", "orders", **TRIGGER)),
            Added(obj("policy", "pol", "orders", **POLICY)),
            Added(obj("sequence", "orders_id_seq", **{**SEQUENCE, "owned_by": "orders.id"})),
        ),
        ('op.execute("DROP TABLE orders")',),
    ),
    "drop column": (
        (Added(col("users", "nickname", "text", 3)),),
        ('op.execute("ALTER TABLE users DROP COLUMN nickname")',),
    ),
    "drop index in a schema": (
        (Added(obj("index", "ix_orders_placed_at", "orders", "app", **INDEX)),),
        ('op.execute("DROP INDEX app.ix_orders_placed_at")',),
    ),
    "drop constraint": (
        (
            Added(
                obj(
                    "constraint",
                    "ck_price",
                    "products",
                    type="check",
                    definition="CHECK (price > 0)",
                )
            ),
        ),
        ('op.execute("ALTER TABLE products DROP CONSTRAINT ck_price")',),
    ),
    "drop sequence": (
        (Added(obj("sequence", "invoice_number_seq", **SEQUENCE)),),
        ('op.execute("DROP SEQUENCE invoice_number_seq")',),
    ),
    "drop enum": (
        (Added(obj("enum", "mood", **ENUM)),),
        ('op.execute("DROP TYPE mood")',),
    ),
    "drop composite": (
        (
            Added(
                obj(
                    "composite",
                    "money_amount",
                    attributes=("amount numeric", "currency text"),
                    acl=None,
                    comment=None,
                )
            ),
        ),
        ('op.execute("DROP TYPE money_amount")',),
    ),
    "drop domain": (
        (
            Added(
                obj(
                    "domain",
                    "email_address",
                    type="text",
                    not_null=False,
                    default=None,
                    collation=None,
                    checks=None,
                    acl=None,
                    comment=None,
                )
            ),
        ),
        ('op.execute("DROP DOMAIN email_address")',),
    ),
    "drop function": (
        (Added(obj("function", "slugify(value text)", **FUNCTION)),),
        ('op.execute("DROP FUNCTION slugify(value text)")',),
    ),
    "drop procedure and aggregate": (
        (
            Added(obj("function", "archive(before date)", **{**FUNCTION, "kind": "procedure"})),
            Added(obj("function", "total(integer)", **{**FUNCTION, "kind": "aggregate"})),
        ),
        (
            'op.execute("DROP AGGREGATE total(integer)")',
            'op.execute("DROP PROCEDURE archive(before date)")',
        ),
    ),
    "drop trigger": (
        (Added(obj("trigger", "trg_documents_touch", "documents", **TRIGGER)),),
        ('op.execute("DROP TRIGGER trg_documents_touch ON documents")',),
    ),
    "drop views": (
        (
            Added(obj("view", "active_users", **VIEW)),
            Added(
                obj(
                    "view",
                    "active_admins",
                    **{**VIEW, "definition": " SELECT id\n   FROM active_users;"},
                )
            ),
            Added(obj("view", "daily", **{**VIEW, "materialized": True})),
        ),
        (
            'op.execute("DROP MATERIALIZED VIEW daily")',
            'op.execute("DROP VIEW active_admins")',
            'op.execute("DROP VIEW active_users")',
        ),
    ),
    "drop schema with its objects": (
        (
            Added(obj("schema", "reporting", "", "reporting", comment=None, acl=None)),
            Added(obj("table", "facts", "", "reporting", **TABLE)),
            Added(obj("enum", "grade", "", "reporting", labels=("a",), acl=None, comment=None)),
        ),
        (
            'op.execute("DROP TABLE reporting.facts")',
            'op.execute("DROP TYPE reporting.grade")',
            'op.execute("DROP SCHEMA reporting")',
        ),
    ),
    "drop extension": (
        (Added(obj("extension", "uuid-ossp", version="1.1", comment=None)),),
        ("op.execute('DROP EXTENSION \"uuid-ossp\"')",),
    ),
    "drop policy, rule, statistics": (
        (
            Added(obj("policy", "notes_owner_write", "notes", **POLICY)),
            Added(obj("rule", "keep", "notes", **RULE)),
            Added(
                obj(
                    "statistics",
                    "st_notes",
                    "notes",
                    **STATISTICS,
                )
            ),
        ),
        (
            'op.execute("DROP RULE keep ON notes")',
            'op.execute("DROP POLICY notes_owner_write ON notes")',
            'op.execute("DROP STATISTICS st_notes")',
        ),
    ),
    "drop event trigger and collation": (
        (
            Added(
                obj(
                    "event_trigger",
                    "audit_ddl",
                    "",
                    "",
                    event="ddl_command_end",
                    tags=None,
                    function="public.audit",
                    enabled="origin",
                    comment=None,
                )
            ),
            Added(
                obj(
                    "collation",
                    "natural",
                    provider="icu",
                    lc_collate="",
                    lc_ctype="",
                    locale="und-u-kn-true",
                    icu_rules=None,
                    deterministic=True,
                    comment=None,
                )
            ),
        ),
        (
            'op.execute("DROP EVENT TRIGGER audit_ddl")',
            "op.execute('DROP COLLATION \"natural\"')",
        ),
    ),
    "revoke default privileges": (
        (Added(obj("default_acl", "tables", "postgres", "app", acl=("reader=r/postgres",))),),
        (
            (
                'op.execute("ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA app'
                ' REVOKE SELECT ON TABLES FROM reader")'
            ),
        ),
    ),
    "drop tables in foreign key order": (
        (
            Added(obj("table", "a_orders", **TABLE)),
            Added(obj("table", "b_customers", **TABLE)),
            Added(
                obj(
                    "constraint",
                    "fk",
                    "a_orders",
                    type="foreign key",
                    definition="FOREIGN KEY (customer_id) REFERENCES b_customers(id)",
                )
            ),
            Added(
                obj(
                    "constraint",
                    "fk2",
                    "b_customers",
                    type="foreign key",
                    definition="FOREIGN KEY (x) REFERENCES keep(id)",
                )
            ),
        ),
        (
            'op.execute("DROP TABLE a_orders")',
            'op.execute("DROP TABLE b_customers")',
        ),
    ),
    "create table": (
        (
            Removed(
                obj(
                    "table",
                    "customers",
                    **{
                        **TABLE,
                        "comment": "Customers",
                        "acl": ("postgres=arwdDxt/postgres", "reader=r/postgres"),
                    },
                )
            ),
            Removed(
                col(
                    "customers",
                    "id",
                    "integer",
                    1,
                    not_null=True,
                    identity="always",
                    identity_options=IDENTITY,
                )
            ),
            Removed(
                col(
                    "customers",
                    "email",
                    "character varying(200)",
                    2,
                    not_null=True,
                    default="''::character varying",
                    comment="Login email",
                )
            ),
            Removed(col("customers", "name", "text", 3, collation='"C"')),
            Removed(
                col(
                    "customers", "slug", "text", 4, generated="lower(name)", generated_kind="stored"
                )
            ),
            Removed(
                obj(
                    "constraint",
                    "customers_pkey",
                    "customers",
                    type="primary key",
                    definition="PRIMARY KEY (id)",
                    comment=None,
                )
            ),
            Removed(
                obj(
                    "index",
                    "ix_customers_email",
                    "customers",
                    **{
                        **INDEX,
                        "unique": True,
                        "columns": (
                            "lower(email::text) text_pattern_ops DESC",
                            "(name || 'x'::text)",
                        ),
                        "include": ("id",),
                        "predicate": "email::text <> ''::text",
                        "options": ("fillfactor=70",),
                    },
                )
            ),
        ),
        (
            'op.execute("""',
            "CREATE TABLE customers (",
            (
                "    id integer GENERATED ALWAYS AS IDENTITY (START WITH 1 INCREMENT BY 1"
                " MINVALUE 1 MAXVALUE 2147483647 CACHE 1 NO CYCLE),"
            ),
            "    email character varying(200) DEFAULT ''::character varying NOT NULL,",
            '    name text COLLATE "C",',
            "    slug text GENERATED ALWAYS AS (lower(name)) STORED",
            ")",
            '""")',
            'op.execute("ALTER TABLE customers ADD CONSTRAINT customers_pkey PRIMARY KEY (id)")',
            (
                'op.execute("CREATE UNIQUE INDEX ix_customers_email ON customers USING'
                " btree (lower(email::text) text_pattern_ops DESC, (name || 'x'::text))"
                " INCLUDE (id) WITH (fillfactor=70) WHERE email::text <> ''::text\")"
            ),
            "op.execute(\"COMMENT ON TABLE customers IS 'Customers'\")",
            'op.execute("GRANT SELECT ON TABLE customers TO reader")',
            "op.execute(\"COMMENT ON COLUMN customers.email IS 'Login email'\")",
        ),
    ),
    "create partitioned, partition, inherited, unlogged": (
        (
            Removed(
                obj(
                    "table",
                    "events",
                    **{
                        **TABLE,
                        "kind": "partitioned table",
                        "partition_key": "RANGE (at)",
                        "access_method": None,
                    },
                )
            ),
            Removed(col("events", "at", "date", 1)),
            Removed(
                obj(
                    "table",
                    "events_2024",
                    **{
                        **TABLE,
                        "partition_of": "events",
                        "partition_bound": "FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')",
                    },
                )
            ),
            Removed(col("events_2024", "at", "date", 1)),
            Removed(
                obj(
                    "constraint",
                    "events_pkey",
                    "events",
                    type="primary key",
                    definition="PRIMARY KEY (at)",
                    comment=None,
                )
            ),
            Removed(
                obj(
                    "constraint",
                    "events_2024_pkey",
                    "events_2024",
                    type="primary key",
                    definition="PRIMARY KEY (at)",
                    comment=None,
                )
            ),
            Removed(obj("table", "special_events", **{**TABLE, "inherits": ("events_2024",)})),
            Removed(obj("table", "scratch", **{**TABLE, "kind": "unlogged table"})),
        ),
        (
            'op.execute("""',
            "CREATE TABLE events (",
            "    at date",
            ") PARTITION BY RANGE (at)",
            '""")',
            (
                'op.execute("CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM'
                " ('2024-01-01') TO ('2025-01-01')\")"
            ),
            'op.execute("CREATE TABLE special_events () INHERITS (events_2024)")',
            'op.execute("CREATE UNLOGGED TABLE scratch ()")',
            'op.execute("ALTER TABLE events ADD CONSTRAINT events_pkey PRIMARY KEY (at)")',
        ),
    ),
    "add column back": (
        (
            Removed(
                col(
                    "users",
                    "note",
                    "text",
                    4,
                    default="'x'::text",
                    not_null=True,
                    acl=("reader=r/postgres",),
                )
            ),
        ),
        (
            "op.execute(\"ALTER TABLE users ADD COLUMN note text DEFAULT 'x'::text NOT NULL\")",
            'op.execute("GRANT SELECT (note) ON TABLE users TO reader")',
        ),
    ),
    "create constraints, primary keys first": (
        (
            Removed(
                obj(
                    "constraint",
                    "a_fk",
                    "orders",
                    type="foreign key",
                    definition="FOREIGN KEY (customer_id) REFERENCES customers(id)",
                    comment=None,
                )
            ),
            Removed(
                obj(
                    "constraint",
                    "uq_accounts_email",
                    "accounts",
                    type="unique",
                    definition="UNIQUE (email)",
                    comment="one per email",
                )
            ),
        ),
        (
            'op.execute("ALTER TABLE accounts ADD CONSTRAINT uq_accounts_email UNIQUE (email)")',
            (
                'op.execute("ALTER TABLE orders ADD CONSTRAINT a_fk FOREIGN KEY'
                ' (customer_id) REFERENCES customers(id)")'
            ),
            (
                "op.execute(\"COMMENT ON CONSTRAINT uq_accounts_email ON accounts IS 'one"
                " per email'\")"
            ),
        ),
    ),
    "create sequence owned by a column": (
        (
            Removed(
                obj(
                    "sequence",
                    "orders_id_seq",
                    **{
                        **SEQUENCE,
                        "type": "integer",
                        "max": 2147483647,
                        "owned_by": "orders.id",
                        "cycle": True,
                    },
                )
            ),
        ),
        (
            (
                'op.execute("CREATE SEQUENCE orders_id_seq AS integer START WITH 1'
                ' INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 CACHE 1 CYCLE")'
            ),
            'op.execute("ALTER SEQUENCE orders_id_seq OWNED BY orders.id")',
        ),
    ),
    "create types": (
        (
            Removed(obj("enum", "mood", labels=("happy", "it's ok"), acl=None, comment="feelings")),
            Removed(
                obj(
                    "domain",
                    "positive",
                    type="integer",
                    not_null=True,
                    default="1",
                    collation=None,
                    checks=("positive_check: CHECK (VALUE > 0)",),
                    acl=None,
                    comment=None,
                )
            ),
            Removed(
                obj(
                    "composite",
                    "pair",
                    attributes=("x integer", "m positive"),
                    acl=None,
                    comment=None,
                )
            ),
        ),
        (
            "op.execute(\"CREATE TYPE mood AS ENUM ('happy', 'it''s ok')\")",
            (
                'op.execute("CREATE DOMAIN positive AS integer DEFAULT 1 NOT NULL'
                ' CONSTRAINT positive_check CHECK (VALUE > 0)")'
            ),
            'op.execute("CREATE TYPE pair AS (x integer, m positive)")',
            "op.execute(\"COMMENT ON TYPE mood IS 'feelings'\")",
        ),
    ),
    "create function": (
        (
            Removed(
                obj(
                    "function",
                    "slugify(value text)",
                    **{
                        **FUNCTION,
                        "config": ("search_path=public, pg_temp", "work_mem=64MB"),
                        "acl": ("=X/postgres", "postgres=X/postgres", "reader=X/postgres"),
                    },
                )
            ),
        ),
        (
            "op.execute(",
            '    "CREATE FUNCTION slugify(value text)\\n"',
            '    "RETURNS text\\n"',
            '    "LANGUAGE plpgsql\\n"',
            '    "IMMUTABLE\\n"',
            '    "SET search_path = public, pg_temp\\n"',
            "    \"SET work_mem = '64MB'\\n\"",
            '    "AS $$\\n"',
            '    "BEGIN\\n"',
            '    "  RETURN lower(value);\\n"',
            '    "END\\n"',
            '    "$$"',
            ")",
            'op.execute("GRANT EXECUTE ON FUNCTION slugify(value text) TO reader")',
        ),
    ),
    "create sql-standard function, procedure, aggregate, c function": (
        (
            Removed(
                obj(
                    "function",
                    "add1(a integer)",
                    **{
                        **FUNCTION,
                        "arguments": "a integer",
                        "returns": "integer",
                        "language": "sql",
                        "body": "RETURN (a + 1)",
                        "parallel": "safe",
                        "strict": True,
                    },
                )
            ),
            Removed(
                obj(
                    "function",
                    "archive(before date)",
                    **{
                        **FUNCTION,
                        "kind": "procedure",
                        "arguments": "IN before date",
                        "language": "sql",
                        "body": "DELETE FROM t",
                        "volatility": "volatile",
                    },
                )
            ),
            Removed(
                obj(
                    "function",
                    "total(integer)",
                    **{
                        **FUNCTION,
                        "kind": "aggregate",
                        "arguments": "integer",
                        "body": "SFUNC = int4pl, STYPE = integer, INITCOND = '0'",
                    },
                )
            ),
            Removed(
                obj("function", "fast(integer)", **{**FUNCTION, "language": "c", "body": "fast"})
            ),
        ),
        (
            'op.execute("""',
            "CREATE FUNCTION add1(a integer)",
            "RETURNS integer",
            "LANGUAGE sql",
            "IMMUTABLE",
            "STRICT",
            "PARALLEL SAFE",
            "RETURN (a + 1)",
            '""")',
            'op.execute("""',
            "CREATE PROCEDURE archive(IN before date)",
            "LANGUAGE sql",
            "AS $$DELETE FROM t$$",
            '""")',
            (
                'op.execute("CREATE AGGREGATE total(integer) (SFUNC = int4pl, STYPE ='
                " integer, INITCOND = '0')\")"
            ),
            "# fast(integer): re-create it from its c library by hand",
        ),
    ),
    "create trigger, policy, rule, statistics": (
        (
            Removed(
                obj(
                    "trigger",
                    "trg",
                    "documents",
                    **{
                        **TRIGGER,
                        "events": ("INSERT", "UPDATE"),
                        "columns": ("body", "title"),
                        "when": "old.* IS DISTINCT FROM new.*",
                        "arguments": ("a", "b'c"),
                        "enabled": "disabled",
                    },
                )
            ),
            Removed(
                obj(
                    "trigger",
                    "ctrg",
                    "documents",
                    **{
                        **TRIGGER,
                        "timing": "AFTER",
                        "events": ("INSERT",),
                        "constraint": True,
                        "deferrable": True,
                        "deferred": True,
                    },
                )
            ),
            Removed(
                obj(
                    "policy",
                    "pol",
                    "notes",
                    **{
                        **POLICY,
                        "permissive": False,
                        "roles": ("reader", "writer"),
                        "with_check": "owner = CURRENT_USER",
                    },
                )
            ),
            Removed(obj("rule", "keep", "notes", **RULE)),
            Removed(
                obj(
                    "statistics",
                    "st_notes",
                    "notes",
                    **STATISTICS,
                )
            ),
        ),
        (
            (
                'op.execute("CREATE TRIGGER trg BEFORE INSERT OR UPDATE OF body, title ON'
                " documents FOR EACH ROW WHEN (old.* IS DISTINCT FROM new.*) EXECUTE"
                " FUNCTION public.touch_updated_at('a', 'b''c')\")"
            ),
            (
                'op.execute("CREATE CONSTRAINT TRIGGER ctrg AFTER INSERT ON documents'
                " DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION"
                ' public.touch_updated_at()")'
            ),
            'op.execute("""',
            "CREATE RULE keep AS",
            "    ON DELETE TO notes DO INSTEAD NOTHING",
            '""")',
            (
                'op.execute("CREATE POLICY pol ON notes AS RESTRICTIVE FOR UPDATE TO'
                " reader, writer USING (owner = CURRENT_USER) WITH CHECK (owner ="
                ' CURRENT_USER)")'
            ),
            'op.execute("CREATE STATISTICS public.st_notes (ndistinct) ON a, b FROM notes")',
            'op.execute("ALTER TABLE documents DISABLE TRIGGER trg")',
        ),
    ),
    "create views": (
        (
            Removed(
                obj(
                    "view",
                    "active_admins",
                    **{
                        **VIEW,
                        "definition": " SELECT id\n   FROM active_users;",
                        "comment": "admins",
                    },
                )
            ),
            Removed(obj("view", "active_users", **{**VIEW, "options": ("security_barrier=true",)})),
            Removed(col("active_users", "email", "text", 2, comment="their email")),
            Removed(obj("view", "daily", **{**VIEW, "materialized": True})),
            Removed(obj("index", "ix_daily", "daily", **{**INDEX, "columns": ("id",)})),
        ),
        (
            'op.execute("""',
            "CREATE VIEW active_users WITH (security_barrier=true) AS",
            " SELECT id,",
            "    email",
            "   FROM users",
            "  WHERE deleted_at IS NULL",
            '""")',
            'op.execute("""',
            "CREATE VIEW active_admins AS",
            " SELECT id",
            "   FROM active_users",
            '""")',
            'op.execute("""',
            "CREATE MATERIALIZED VIEW daily AS",
            " SELECT id,",
            "    email",
            "   FROM users",
            "  WHERE deleted_at IS NULL",
            '""")',
            'op.execute("CREATE INDEX ix_daily ON daily USING btree (id)")',
            "op.execute(\"COMMENT ON COLUMN active_users.email IS 'their email'\")",
            "op.execute(\"COMMENT ON VIEW active_admins IS 'admins'\")",
        ),
    ),
    "create schema, extension, event trigger, collations, default privileges": (
        (
            Removed(
                obj(
                    "schema",
                    "app",
                    "",
                    "app",
                    comment=None,
                    acl=("postgres=UC/postgres", "reader=U/postgres"),
                )
            ),
            Removed(
                obj("extension", "citext", "", "app", version="1.6", comment="case-insensitive")
            ),
            Removed(
                obj(
                    "event_trigger",
                    "audit_ddl",
                    "",
                    "",
                    event="ddl_command_end",
                    tags=("CREATE TABLE", "ALTER TABLE"),
                    function="public.audit",
                    enabled="disabled",
                    comment=None,
                )
            ),
            Removed(
                obj(
                    "collation",
                    "natural",
                    "",
                    "app",
                    provider="icu",
                    lc_collate=None,
                    lc_ctype=None,
                    locale="und-u-kn-true",
                    icu_rules=None,
                    deterministic=False,
                    comment=None,
                )
            ),
            Removed(
                obj(
                    "collation",
                    "posix",
                    provider="libc",
                    lc_collate="C",
                    lc_ctype="C",
                    locale=None,
                    icu_rules=None,
                    deterministic=True,
                    comment=None,
                )
            ),
            Removed(
                obj(
                    "default_acl",
                    "functions",
                    "postgres",
                    "",
                    acl=("postgres=X/postgres", "reader=X/postgres"),
                )
            ),
        ),
        (
            'op.execute("CREATE SCHEMA app")',
            "op.execute(\"CREATE EXTENSION citext WITH SCHEMA app VERSION '1.6'\")",
            (
                'op.execute("CREATE COLLATION app.\\"natural\\" (provider = icu, locale ='
                " 'und-u-kn-true', deterministic = false)\")"
            ),
            (
                "op.execute(\"CREATE COLLATION posix (provider = libc, lc_collate = 'C',"
                " lc_ctype = 'C')\")"
            ),
            (
                'op.execute("CREATE EVENT TRIGGER audit_ddl ON ddl_command_end WHEN TAG'
                " IN ('CREATE TABLE', 'ALTER TABLE') EXECUTE FUNCTION public.audit()\")"
            ),
            'op.execute("GRANT USAGE ON SCHEMA app TO reader")',
            'op.execute("ALTER EVENT TRIGGER audit_ddl DISABLE")',
            (
                'op.execute("ALTER DEFAULT PRIVILEGES FOR ROLE postgres REVOKE EXECUTE ON'
                ' FUNCTIONS FROM PUBLIC")'
            ),
            (
                'op.execute("ALTER DEFAULT PRIVILEGES FOR ROLE postgres GRANT EXECUTE ON'
                ' FUNCTIONS TO reader")'
            ),
        ),
    ),
    "column attributes": (
        (
            changed("column", "status", "type", "character varying(20)", "text", "tickets"),
            changed("column", "status", "default", "'open'::character varying", None, "tickets"),
            changed("column", "status", "not_null", True, False, "tickets"),
            changed("column", "votes", "default", None, "0", "choices"),
            changed("column", "email", "comment", "Login email", None, "customers"),
            changed("column", "email", "acl", ("reader=r/postgres",), None, "customers"),
            changed("column", "name", "collation", '"C"', None, "customers"),
            changed("column", "position", "position", 2, 3, "customers"),
        ),
        (
            "op.execute(\"COMMENT ON COLUMN customers.email IS 'Login email'\")",
            'op.execute("GRANT SELECT (email) ON TABLE customers TO reader")',
            (
                '# column customers.name: set its collation back to "C": ALTER TABLE'
                ' customers ALTER COLUMN name TYPE <its type> COLLATE "C"'
            ),
            (
                'op.execute("ALTER TABLE tickets ALTER COLUMN status TYPE character'
                ' varying(20) USING status::character varying(20)")'
            ),
            'op.execute("ALTER TABLE tickets ALTER COLUMN status SET NOT NULL")',
            (
                'op.execute("ALTER TABLE tickets ALTER COLUMN status SET DEFAULT'
                " 'open'::character varying\")"
            ),
            'op.execute("ALTER TABLE choices ALTER COLUMN votes DROP DEFAULT")',
        ),
    ),
    "identity and generated columns": (
        (
            changed("column", "id", "identity", "always", None, "a"),
            changed(
                "column",
                "id",
                "identity_options",
                "START WITH 1 INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 CACHE 1 NO CYCLE",
                None,
                "a",
            ),
            changed("column", "id", "identity", None, "by default", "b"),
            changed("column", "id", "identity", "always", "by default", "c"),
            changed(
                "column",
                "id",
                "identity_options",
                "START WITH 5 INCREMENT BY 1 MINVALUE 1 MAXVALUE 100 CACHE 1 CYCLE",
                "START WITH 1 INCREMENT BY 1 MINVALUE 1 MAXVALUE 100 CACHE 1 NO CYCLE",
                "c",
            ),
            changed("column", "g", "generated", None, "a * 2", "d"),
            changed("column", "g", "generated", "a * 3", "a * 2", "e"),
            changed("column", "g", "generated", "a * 3", None, "f"),
            changed("column", "g", "generated_kind", "stored", None, "f"),
        ),
        (
            'op.execute("ALTER TABLE d ALTER COLUMN g DROP EXPRESSION")',
            'op.execute("ALTER TABLE e ALTER COLUMN g SET EXPRESSION AS (a * 3)")',
            (
                "# column f.g: generated always as (a * 3) before: drop the column and"
                " add it again with its generation expression"
            ),
            (
                'op.execute("ALTER TABLE a ALTER COLUMN id ADD GENERATED ALWAYS AS'
                " IDENTITY (START WITH 1 INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647"
                ' CACHE 1 NO CYCLE)")'
            ),
            'op.execute("ALTER TABLE b ALTER COLUMN id DROP IDENTITY")',
            'op.execute("ALTER TABLE c ALTER COLUMN id SET GENERATED ALWAYS")',
            (
                'op.execute("ALTER TABLE c ALTER COLUMN id SET START WITH 5 SET INCREMENT'
                ' BY 1 SET MINVALUE 1 SET MAXVALUE 100 SET CACHE 1 SET CYCLE")'
            ),
        ),
    ),
    "table attributes": (
        (
            changed("table", "notes", "rls_enabled", True, False),
            changed("table", "notes", "rls_forced", False, True),
            changed("table", "notes", "replica_identity", "index notes_pkey", "full"),
            changed(
                "table",
                "notes",
                "options",
                ("fillfactor=70",),
                ("autovacuum_enabled=false", "fillfactor=50"),
            ),
            changed("table", "notes", "comment", 'it\'s "notes"', None),
            changed(
                "table", "notes", "acl", None, ("postgres=arwdDxt/postgres", "reader=r*/postgres")
            ),
            changed("table", "logs", "kind", "table", "unlogged table"),
            changed("table", "logs", "inherits", ("base",), ("other",)),
            changed("table", "logs", "tablespace", None, "fast"),
            changed("table", "logs", "access_method", "heap", "columnar"),
            changed("table", "typed", "of_type", "pair", None),
            changed("table", "events_1", "partition_of", "events", None, schema="app"),
            changed(
                "table", "events_1", "partition_bound", "FOR VALUES IN (1)", None, schema="app"
            ),
            changed("table", "events", "partition_key", "RANGE (at)", "LIST (at)"),
        ),
        (
            (
                'op.execute("ALTER TABLE app.events ATTACH PARTITION app.events_1 FOR'
                ' VALUES IN (1)")'
            ),
            "# table events: set partition_key back to RANGE (at) by hand",
            'op.execute("ALTER TABLE logs SET LOGGED")',
            'op.execute("ALTER TABLE logs NO INHERIT other")',
            'op.execute("ALTER TABLE logs INHERIT base")',
            'op.execute("ALTER TABLE logs SET ACCESS METHOD heap")',
            'op.execute("ALTER TABLE logs SET TABLESPACE pg_default")',
            'op.execute("ALTER TABLE notes ENABLE ROW LEVEL SECURITY")',
            'op.execute("ALTER TABLE notes NO FORCE ROW LEVEL SECURITY")',
            'op.execute("ALTER TABLE notes REPLICA IDENTITY USING INDEX notes_pkey")',
            'op.execute("ALTER TABLE notes RESET (autovacuum_enabled)")',
            'op.execute("ALTER TABLE notes SET (fillfactor=70)")',
            "op.execute(\"COMMENT ON TABLE notes IS 'it''s \\\"notes\\\"'\")",
            'op.execute("REVOKE SELECT ON TABLE notes FROM reader")',
            'op.execute("ALTER TABLE typed OF pair")',
        ),
    ),
    "index attributes": (
        (
            changed("index", "ix_open", "predicate", "status::text = 'open'::text", None, "orders"),
            changed("index", "ix_u", "unique", True, False, "orders"),
            changed("index", "ix_u", "nulls_not_distinct", False, True, "orders"),
            changed("index", "ix_cols", "columns", ("a",), ("a", "b"), "orders"),
            changed("index", "ix_opt", "options", ("fillfactor=60",), None, "orders"),
            changed("index", "ix_opt", "tablespace", None, "fast", "orders"),
            changed("index", "ix_opt", "comment", None, "x", "orders"),
            changed(
                "index", "ix_part", "partition_of", "ix_parent", None, "orders_1", schema="app"
            ),
        ),
        (
            'op.execute("ALTER INDEX app.ix_parent ATTACH PARTITION app.ix_part")',
            (
                "# index ix_cols on orders: re-create it (columns (a)): DROP INDEX, then"
                " CREATE INDEX"
            ),
            'op.execute("""',
            "DO $$",
            "DECLARE",
            "    definition text := pg_get_indexdef('ix_open'::regclass);",
            "    description text := obj_description('ix_open'::regclass, 'pg_class');",
            "BEGIN",
            "    DROP INDEX ix_open;",
            (
                "    EXECUTE regexp_replace(definition, ' WHERE .*$', '') || ' WHERE"
                " status::text = ''open''::text';"
            ),
            "    EXECUTE format('COMMENT ON INDEX %s IS %L', 'ix_open', description);",
            "END",
            "$$",
            '""")',
            'op.execute("ALTER INDEX ix_opt SET TABLESPACE pg_default")',
            'op.execute("ALTER INDEX ix_opt SET (fillfactor=60)")',
            'op.execute("COMMENT ON INDEX ix_opt IS NULL")',
            'op.execute("""',
            "DO $$",
            "DECLARE",
            "    definition text := pg_get_indexdef('ix_u'::regclass);",
            "    description text := obj_description('ix_u'::regclass, 'pg_class');",
            "BEGIN",
            "    DROP INDEX ix_u;",
            (
                "    EXECUTE replace(regexp_replace(definition, '^CREATE (UNIQUE"
                " )?INDEX', 'CREATE UNIQUE INDEX'), ' NULLS NOT DISTINCT', '');"
            ),
            "    EXECUTE format('COMMENT ON INDEX %s IS %L', 'ix_u', description);",
            "END",
            "$$",
            '""")',
        ),
    ),
    "constraint definition": (
        (
            changed(
                "constraint",
                "fk",
                "definition",
                "FOREIGN KEY (order_id) REFERENCES orders(id) ON DELETE CASCADE",
                "FOREIGN KEY (order_id) REFERENCES orders(id)",
                "items",
            ),
            changed("constraint", "ck", "deferrable", True, False, "items"),
        ),
        (
            "# constraint ck on items: set deferrable back to true by hand",
            'op.execute("ALTER TABLE items DROP CONSTRAINT fk")',
            (
                'op.execute("ALTER TABLE items ADD CONSTRAINT fk FOREIGN KEY (order_id)'
                ' REFERENCES orders(id) ON DELETE CASCADE")'
            ),
        ),
    ),
    "sequence attributes": (
        (
            changed("sequence", "s", "type", "smallint", "integer"),
            changed("sequence", "s", "max", 900, 2147483647),
            changed("sequence", "s", "cycle", True, False),
            changed("sequence", "s", "owned_by", "orders.id", None, schema="app"),
        ),
        (
            'op.execute("ALTER SEQUENCE app.s OWNED BY app.orders.id")',
            'op.execute("ALTER SEQUENCE s AS smallint MAXVALUE 900 CYCLE")',
        ),
    ),
    "enum value lost": (
        (changed("enum", "status", "labels", ("open", "pending", "closed"), ("open",)),),
        (
            "op.execute(\"ALTER TYPE status ADD VALUE 'pending'\")",
            "op.execute(\"ALTER TYPE status ADD VALUE 'closed'\")",
        ),
    ),
    "enum value left behind": (
        (
            changed(
                "enum", "ticket_status", "labels", ("open", "closed"), ("open", "pending", "closed")
            ),
        ),
        (
            (
                "# PostgreSQL cannot drop a value of an enum type: ticket_status is made"
                " again and its"
            ),
            "# columns converted (rows holding a value it no longer has must be changed first)",
            'op.execute("ALTER TYPE ticket_status RENAME TO ticket_status_old")',
            "op.execute(\"CREATE TYPE ticket_status AS ENUM ('open', 'closed')\")",
            'op.execute("""',
            "DO $$",
            "DECLARE",
            "    old_type regtype := 'ticket_status_old';",
            "    new_type text := 'ticket_status';",
            "    renamed text := 'ticket_status_old';",
            "    named text := 'ticket_status';",
            "    col record;",
            "BEGIN",
            "    FOR col IN",
            "        SELECT a.attrelid::regclass AS tbl, quote_ident(a.attname) AS name,",
            "               CASE WHEN a.atttypid = old_type THEN '' ELSE '[]' END AS dims,",
            "               pg_get_expr(d.adbin, d.adrelid) AS dflt",
            "          FROM pg_attribute AS a",
            "          JOIN pg_class AS c ON c.oid = a.attrelid AND c.relkind IN ('r', 'p')",
            (
                "          LEFT JOIN pg_attrdef AS d ON d.adrelid = a.attrelid AND"
                " d.adnum = a.attnum"
            ),
            (
                "         WHERE a.atttypid IN (old_type, (SELECT typarray FROM pg_type"
                " WHERE oid = old_type))"
            ),
            "           AND a.attnum > 0 AND NOT a.attisdropped AND a.attinhcount = 0",
            "    LOOP",
            "        IF col.dflt IS NOT NULL THEN",
            (
                "            EXECUTE format('ALTER TABLE %s ALTER COLUMN %s DROP"
                " DEFAULT', col.tbl, col.name);"
            ),
            "        END IF;",
            (
                "        EXECUTE format('ALTER TABLE %s ALTER COLUMN %s TYPE %s%s USING"
                " %s::text%s::%s%s',"
            ),
            "                       col.tbl, col.name, new_type, col.dims,",
            "                       col.name, col.dims, new_type, col.dims);",
            "        IF col.dflt IS NOT NULL THEN",
            "            EXECUTE format('ALTER TABLE %s ALTER COLUMN %s SET DEFAULT %s',",
            "                           col.tbl, col.name, replace(col.dflt, renamed, named));",
            "        END IF;",
            "    END LOOP;",
            "END",
            "$$",
            '""")',
            'op.execute("DROP TYPE ticket_status_old")',
        ),
    ),
    "composite and domain": (
        (
            changed("composite", "pair", "attributes", ("x integer", "y text"), ("x bigint",)),
            changed(
                "composite", "moved", "attributes", ("x integer", "y text"), ("y text", "x integer")
            ),
            changed("domain", "d", "default", "1", None),
            changed("domain", "d", "not_null", True, False),
            changed(
                "domain",
                "d",
                "checks",
                ("ck_pos: CHECK (VALUE > 0)",),
                ("ck_big: CHECK (VALUE > 10)",),
            ),
            changed("domain", "d", "type", "integer", "bigint"),
        ),
        (
            "# composite type moved: set attributes back to (x integer, y text) by hand",
            'op.execute("ALTER TYPE pair ALTER ATTRIBUTE x TYPE integer, ADD ATTRIBUTE y text")',
            "# domain d: set type back to integer by hand",
            'op.execute("ALTER DOMAIN d SET NOT NULL")',
            'op.execute("ALTER DOMAIN d SET DEFAULT 1")',
            'op.execute("ALTER DOMAIN d DROP CONSTRAINT ck_big")',
            'op.execute("ALTER DOMAIN d ADD CONSTRAINT ck_pos CHECK (VALUE > 0)")',
        ),
    ),
    "function attributes": (
        (
            changed("function", "f(a integer)", "volatility", "immutable", "stable"),
            changed("function", "f(a integer)", "cost", "100", "7"),
            changed(
                "function",
                "f(a integer)",
                "config",
                ("search_path=public", "work_mem=64MB"),
                ("statement_timeout=5s",),
            ),
            changed("function", "f(a integer)", "comment", None, "f"),
            changed(
                "function",
                "f(a integer)",
                "acl",
                None,
                ("=X/postgres", "postgres=X/postgres", "reader=X/postgres"),
            ),
            changed(
                "function",
                "g()",
                "body",
                "\nBEGIN\n  RETURN 1;\nEND\n",
                "\nBEGIN\n  RETURN 2;\nEND\n",
            ),
            changed("function", "g()", "returns", "integer", "bigint"),
        ),
        (
            (
                'op.execute("ALTER ROUTINE f(a integer) IMMUTABLE COST 100 RESET'
                " statement_timeout SET search_path = public SET work_mem = '64MB'\")"
            ),
            'op.execute("COMMENT ON ROUTINE f(a integer) IS NULL")',
            'op.execute("REVOKE EXECUTE ON ROUTINE f(a integer) FROM reader")',
            "# function g(): CREATE OR REPLACE it with the body it had:",
            "#",
            "# BEGIN",
            "#   RETURN 1;",
            "# END",
            "#",
            "# function g(): set returns back to integer by hand",
        ),
    ),
    "trigger, policy, rule, statistics": (
        (
            changed("trigger", "tr", "enabled", "origin", "disabled", "t"),
            changed("trigger", "tr", "timing", "BEFORE", "AFTER", "t"),
            changed("policy", "pol", "roles", ("reader",), ("public",), "t"),
            changed("policy", "pol", "using", "id > 0", "id > 5", "t"),
            changed("policy", "pol", "with_check", None, "id > 6", "t"),
            changed("policy", "pol", "command", "ALL", "SELECT", "t"),
            changed(
                "rule",
                "ru",
                "definition",
                "CREATE RULE ru AS\n    ON UPDATE TO t DO  NOTHING;",
                "CREATE RULE ru AS\n    ON UPDATE TO t DO INSTEAD NOTHING;",
                "t",
            ),
            changed("rule", "ru", "instead", False, True, "t"),
            changed("rule", "ru", "enabled", "origin", "disabled", "t"),
            changed(
                "statistics",
                "st",
                "definition",
                "CREATE STATISTICS public.st (ndistinct) ON id, m FROM t",
                "CREATE STATISTICS public.st (mcv) ON id, m FROM t",
                "t",
            ),
        ),
        (
            'op.execute("ALTER TABLE t ENABLE TRIGGER tr")',
            "# trigger tr on t: set timing back to BEFORE by hand",
            'op.execute("""',
            "CREATE OR REPLACE RULE ru AS",
            "    ON UPDATE TO t DO  NOTHING",
            '""")',
            'op.execute("ALTER TABLE t ENABLE RULE ru")',
            'op.execute("ALTER POLICY pol ON t TO reader")',
            'op.execute("ALTER POLICY pol ON t USING (id > 0)")',
            "# policy pol on t: set with_check back to NULL by hand",
            "# policy pol on t: set command back to ALL by hand",
            'op.execute("DROP STATISTICS st")',
            'op.execute("CREATE STATISTICS public.st (ndistinct) ON id, m FROM t")',
        ),
    ),
    "views": (
        (
            changed(
                "view",
                "active_users",
                "definition",
                VIEW["definition"],
                " SELECT id,\n    email\n   FROM users;",
            ),
            changed(
                "view",
                "daily",
                "definition",
                " SELECT 1 AS one;",
                " SELECT 2 AS two;",
                materialized=True,
            ),
            changed("view", "v", "options", ("security_barrier=true",), None),
            changed("view", "m", "materialized", False, True),
        ),
        (
            'op.execute("""',
            "CREATE OR REPLACE VIEW active_users AS",
            " SELECT id,",
            "    email",
            "   FROM users",
            "  WHERE deleted_at IS NULL",
            '""")',
            "# CREATE OR REPLACE VIEW resets the options of active_users (security_barrier,"
            " check_option...): set any it had again",
            'op.execute("DROP MATERIALIZED VIEW daily")',
            'op.execute("""',
            "CREATE MATERIALIZED VIEW daily AS",
            " SELECT 1 AS one",
            '""")',
            "# DROP MATERIALIZED VIEW dropped the indexes, comment and privileges of daily:"
            " make any it had again",
            "# view m: set materialized back to false by hand",
            'op.execute("ALTER VIEW v SET (security_barrier=true)")',
        ),
    ),
    "schema, extension, event trigger, collation, default privileges": (
        (
            changed("schema", "app", "comment", None, "app", schema="app"),
            changed(
                "schema",
                "app",
                "acl",
                None,
                ("postgres=UC/postgres", "reader=C/postgres"),
                schema="app",
            ),
            changed("extension", "citext", "version", "1.6", "1.8"),
            changed("event_trigger", "audit", "enabled", "origin", "replica", schema=""),
            changed("event_trigger", "audit", "tags", ("CREATE TABLE",), None, schema=""),
            changed("collation", "natural", "deterministic", True, False),
            changed(
                "default_acl", "tables", "acl", None, ("reader=r/postgres",), "postgres", "app"
            ),
        ),
        (
            'op.execute("COMMENT ON SCHEMA app IS NULL")',
            'op.execute("REVOKE CREATE ON SCHEMA app FROM reader")',
            "op.execute(\"ALTER EXTENSION citext UPDATE TO '1.6'\")",
            "# collation natural: set deterministic back to true by hand",
            'op.execute("ALTER EVENT TRIGGER audit ENABLE")',
            "# event trigger audit: set tags back to (CREATE TABLE) by hand",
            (
                'op.execute("ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA app'
                ' REVOKE SELECT ON TABLES FROM reader")'
            ),
        ),
    ),
    "quoting": (
        (
            Added(obj("table", "user", **TABLE)),
            Added(obj("table", "Order Items", "", "Sales", **TABLE)),
            changed("column", "Email", "comment", 'say "hi": it\'s :here', None, "user"),
            Added(obj("index", "ix", "user", **INDEX)),
            Added(obj("extension", "uuid-ossp", version="1.1", comment=None)),
        ),
        (
            (
                'op.execute("COMMENT ON COLUMN \\"user\\".\\"Email\\" IS \'say \\"hi\\": it\'\'s'
                " \\\\:here'\")"
            ),
            'op.execute(\'DROP TABLE "Sales"."Order Items"\')',
            "op.execute('DROP TABLE \"user\"')",
            "op.execute('DROP EXTENSION \"uuid-ossp\"')",
        ),
    ),
}


@pytest.mark.parametrize("name", CASES)
def test_every_kind(name: str) -> None:
    records, expected = CASES[name]
    assert lines(*records) == expected
    ast.parse("\n".join(expected))  # valid Python, ready to paste


# --------------------------------------------------------------------------- order


def test_a_lost_serial_column_gets_its_sequence_first_and_owned_by_last() -> None:
    sequence = {**SEQUENCE, "type": "integer", "max": 2147483647, "owned_by": "orders.id"}
    default = "nextval('orders_id_seq'::regclass)"
    assert lines(
        Removed(obj("table", "orders", **TABLE)),
        Removed(col("orders", "id", "integer", 1, not_null=True, default=default)),
        Removed(obj("sequence", "orders_id_seq", **sequence)),
        Removed(obj("constraint", "orders_pkey", "orders", **PKEY)),
    ) == (
        'op.execute("CREATE SEQUENCE orders_id_seq AS integer START WITH 1 INCREMENT BY 1'
        ' MINVALUE 1 MAXVALUE 2147483647 CACHE 1 NO CYCLE")',
        'op.execute("""',
        "CREATE TABLE orders (",
        "    id integer DEFAULT nextval('orders_id_seq'::regclass) NOT NULL",
        ")",
        '""")',
        'op.execute("ALTER TABLE orders ADD CONSTRAINT orders_pkey PRIMARY KEY (id)")',
        'op.execute("ALTER SEQUENCE orders_id_seq OWNED BY orders.id")',
    )


def test_a_leftover_serial_column_takes_its_sequence_with_it() -> None:
    sequence = {**SEQUENCE, "owned_by": "users.number"}
    assert lines(
        Added(col("users", "number", "bigint", 3)),
        Added(obj("sequence", "users_number_seq", **sequence)),
    ) == ('op.execute("ALTER TABLE users DROP COLUMN number")',)


def test_leftover_views_go_before_their_tables_and_types_after_them() -> None:
    assert lines(
        Added(obj("enum", "mood", **ENUM)),
        Added(obj("table", "users", **TABLE)),
        Added(col("users", "mood", "mood", 1)),
        Added(obj("view", "happy_users", **VIEW)),
        Added(col("happy_users", "id", "integer", 1)),
    ) == (
        'op.execute("DROP VIEW happy_users")',
        'op.execute("DROP TABLE users")',
        'op.execute("DROP TYPE mood")',
    )


def test_attributes_are_set_back_after_what_they_need_is_made() -> None:
    default = "nextval('invoice_seq'::regclass)"
    assert lines(
        changed("column", "number", "default", default, None, "invoices"),
        Removed(obj("sequence", "invoice_seq", **SEQUENCE)),
        Added(obj("function", "next_number()", **FUNCTION)),
        changed("column", "code", "default", None, "next_number()", "invoices"),
    ) == (
        'op.execute("CREATE SEQUENCE invoice_seq AS bigint START WITH 1 INCREMENT BY 1'
        ' MINVALUE 1 MAXVALUE 9223372036854775807 CACHE 1 NO CYCLE")',
        'op.execute("ALTER TABLE invoices ALTER COLUMN code DROP DEFAULT")',
        'op.execute("ALTER TABLE invoices ALTER COLUMN number SET DEFAULT'
        " nextval('invoice_seq'::regclass)\")",
        'op.execute("DROP FUNCTION next_number()")',
    )


def test_what_a_partitioned_table_makes_for_its_partitions_is_not_made_twice() -> None:
    parent = {**INDEX, "columns": ("at",)}
    child = {**parent, "partition_of": "ix_events_at"}
    assert lines(
        Removed(obj("index", "ix_events_at", "events", **parent)),
        Removed(obj("index", "events_2024_at_idx", "events_2024", **child)),
    ) == ('op.execute("CREATE INDEX ix_events_at ON events USING btree (at)")',)


def test_a_view_whose_columns_changed_is_made_again() -> None:
    """CREATE OR REPLACE VIEW keeps the columns; their types follow the definition."""
    assert lines(
        changed(
            "view",
            "totals",
            "definition",
            " SELECT 1::numeric AS total;",
            " SELECT 1.0::real AS total;",
        ),
        changed("column", "total", "type", "numeric", "real", "totals"),
    ) == (
        'op.execute("DROP VIEW totals")',
        'op.execute("""',
        "CREATE VIEW totals AS",
        " SELECT 1::numeric AS total",
        '""")',
        "# DROP VIEW dropped the comment and privileges of totals: make any it had again",
    )


# --------------------------------------------------------------------------- MC203, versions


def test_mc203_is_qualified_guarded_and_says_where_it_goes() -> None:
    assert lines(
        Added(obj("table", "settings", **TABLE)),
        Added(obj("constraint", "settings_pkey", "settings", **PKEY)),
        Added(obj("enum", "mood", **ENUM)),
        Removed(obj("index", "ix_orders_placed_at", "orders", **INDEX)),
        Removed(
            obj(
                "constraint",
                "ck_price",
                "products",
                type="check",
                definition="CHECK (price > 0)",
                comment=None,
            )
        ),
        changed("table", "keep", "comment", None, "kept"),
        code="MC203",
    ) == (
        "# Only downgrading the whole history in one run leaves this behind: usually a setting",
        "# that a later revision's downgrade leaves in force (SET LOCAL search_path). Better not",
        "# leak it; else paste this at the end of the first revision's downgrade():",
        'op.execute("COMMENT ON TABLE public.keep IS NULL")',
        'op.execute("DROP TABLE IF EXISTS public.settings")',
        "# where it is missing: ALTER TABLE public.products ADD CONSTRAINT ck_price"
        " CHECK (price > 0)",
        'op.execute("CREATE INDEX IF NOT EXISTS ix_orders_placed_at ON public.orders USING btree'
        ' (placed_at)")',
        'op.execute("DROP TYPE IF EXISTS public.mood")',
    )


def test_statements_newer_than_the_server_are_noted() -> None:
    records = (
        changed("column", "total", "generated", "a * 3", "a * 2", "orders"),
        changed("table", "logs", "access_method", "heap", "columnar"),
    )
    assert lines(*records, pg=18) == (
        'op.execute("ALTER TABLE logs SET ACCESS METHOD heap")',
        'op.execute("ALTER TABLE orders ALTER COLUMN total SET EXPRESSION AS (a * 3)")',
    )
    assert lines(*records, pg=14) == (
        "# table logs: set access_method back to heap by hand",
        "# column orders.total: generated always as (a * 3) before: drop the column and add it"
        " again with its generation expression",
    )


# --------------------------------------------------------------------------- names, ACLs, Python


@pytest.mark.parametrize(
    ("name", "quoted"),
    [
        ("orders", "orders"),
        ("user", '"user"'),
        ("Order Items", '"Order Items"'),
        ("natural", '"natural"'),
        ("status_2", "status_2"),
        ('say "hi"', '"say ""hi"""'),
        ("2fa", '"2fa"'),
    ],
)
def test_identifiers_are_quoted_as_quote_ident_does(name: str, quoted: str) -> None:
    assert ident(name) == quoted


def test_privileges_back_to_the_default_and_grant_options() -> None:
    owner_only = ("postgres=arwdDxt/postgres",)
    assert grants("TABLE t", "table", None, (*owner_only, "reader=r*w/postgres")) == [
        Sql("REVOKE SELECT, UPDATE ON TABLE t FROM reader")
    ]
    assert grants(
        "TABLE t", "table", (*owner_only, "reader=r*/postgres"), (*owner_only, "reader=rw/postgres")
    ) == [
        Sql("REVOKE UPDATE ON TABLE t FROM reader"),
        Sql("GRANT SELECT ON TABLE t TO reader WITH GRANT OPTION"),
    ]
    # Functions: PUBLIC may execute them by default.
    assert grants("FUNCTION f()", "function", None, ("postgres=X/postgres",)) == [
        Sql("GRANT EXECUTE ON FUNCTION f() TO PUBLIC")
    ]
    # Whose default: the owner is not known from ACL items granted by several roles.
    assert grants("TABLE t", "table", ("a=r/b", "c=r/d"), None) == [
        Note("privileges on TABLE t: set back to ('a=r/b', 'c=r/d') (its owner is not known)")
    ]


class _Op:
    """Alembic's op as far as the suggestion uses it: the text each execute would run."""

    def __init__(self) -> None:
        self.ran: list[str] = []

    def execute(self, sql: str) -> None:
        # What op.execute makes of a string: text(), compiled for PostgreSQL (a bind
        # parameter would show as %(name)s; a literal % is doubled for the driver).
        compiled = sqlalchemy.text(sql).compile(dialect=postgresql.dialect())
        self.ran.append(str(compiled).replace("%%", "%"))


def _ran(statement: Sql) -> str:
    """``statement`` pasted with an indent, as the body of a downgrade(), and run."""
    code = "def downgrade():\n" + "".join(f"    {line}\n" for line in python(statement))
    namespace: dict[str, Any] = {"op": _Op()}
    exec(code + "downgrade()\n", namespace)
    (ran,) = namespace["op"].ran
    return ran


@pytest.mark.parametrize(
    "text",
    [
        "COMMENT ON TABLE t IS 'a :name, a \\:colon, 50% and x::int'",
        "COMMENT ON TABLE t IS 'quotes \" and '' and \\ backslash'",
        'CREATE VIEW v AS\n SELECT 1 AS """x""";',
        "CREATE FUNCTION f()\nAS $$\n  indented\n\tand tabbed\n$$",
    ],
)
def test_the_python_runs_exactly_the_statement(text: str) -> None:
    exact = "\n" in text and "$$" in text
    ran = _ran(Sql(text, exact=exact))
    if exact:
        assert ran == text
    else:  # lines of a triple-quoted string take the indent they are pasted with
        assert [line.strip() for line in ran.strip().split("\n")] == [
            line.strip() for line in text.split("\n")
        ]


def test_notes_are_comment_lines() -> None:
    assert python(Note("first\n\nthird")) == ["# first", "#", "# third"]


# --------------------------------------------------------------------------- on a real server

READER = "migcheck_fixes_reader"  # a role for privileges and policies (roles are cluster-wide)


@dataclass(frozen=True, slots=True)
class RoundTrip:
    """A schema (``before``), what a bad downgrade leaves of it (``change``), and what the
    suggestion cannot set back (``left``: its notes say so)."""

    name: str
    before: str
    change: str
    code: str = "MC201"
    since: int = 13  # the first PostgreSQL version that has what it uses
    left: tuple[str, ...] = ()


ROUND_TRIPS = (
    RoundTrip(
        "leftover table with everything",
        "CREATE TABLE keep (id int PRIMARY KEY)",
        """
CREATE TYPE mood AS ENUM ('a', 'b');
CREATE DOMAIN dmood AS mood;
CREATE TYPE pair AS (x int, m dmood);
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;
CREATE TABLE parent (id serial PRIMARY KEY, m mood DEFAULT 'a', p pair, k int REFERENCES
    keep(id));
CREATE TABLE child (id int REFERENCES parent(id), note text CHECK (note <> ''));
CREATE INDEX ix_child ON child (lower(note) text_pattern_ops DESC) WHERE note IS NOT NULL;
CREATE TRIGGER t_child BEFORE UPDATE ON child FOR EACH ROW EXECUTE FUNCTION touch();
CREATE POLICY p_child ON child USING (true);
CREATE RULE r_child AS ON DELETE TO child DO INSTEAD NOTHING;
CREATE STATISTICS s_child ON id, note FROM child;
CREATE VIEW v AS SELECT * FROM child;
CREATE VIEW vv AS SELECT * FROM v;
CREATE MATERIALIZED VIEW mv AS SELECT id FROM parent;
CREATE INDEX ix_mv ON mv (id);
CREATE SEQUENCE loose_seq;
ALTER TABLE keep ADD COLUMN extra serial;
CREATE INDEX ix_keep ON keep (extra);
ALTER TABLE keep ADD CONSTRAINT ck_keep CHECK (id > 0);

""",
    ),
    RoundTrip(
        "leftover schema, extension, collation, event trigger, default privileges",
        "",
        """
CREATE SCHEMA app;
CREATE EXTENSION citext WITH SCHEMA app;
CREATE TABLE app.t (c app.citext);
CREATE COLLATION app.nat (provider = icu, locale = 'und-u-kn-true');
CREATE FUNCTION app.evt() RETURNS event_trigger LANGUAGE plpgsql AS $$BEGIN END$$;
CREATE EVENT TRIGGER evt ON ddl_command_end EXECUTE FUNCTION app.evt();
ALTER DEFAULT PRIVILEGES IN SCHEMA app GRANT SELECT ON TABLES TO migcheck_fixes_reader;
ALTER DEFAULT PRIVILEGES GRANT EXECUTE ON FUNCTIONS TO migcheck_fixes_reader;
ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;

""",
    ),
    RoundTrip(
        "lost everything",
        """
CREATE TYPE mood AS ENUM ('a', 'b');
CREATE DOMAIN dmood AS mood DEFAULT 'a' NOT NULL CONSTRAINT ck_d CHECK (VALUE <> 'b');
CREATE TYPE pair AS (x int, m dmood);
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
RETURN NEW;
END$$;
CREATE FUNCTION add1(a int DEFAULT 1) RETURNS int LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS 'SELECT a + 1';
CREATE PROCEDURE proc(a int) LANGUAGE sql AS 'SELECT 1';
CREATE AGGREGATE agg(int) (sfunc = int4pl, stype = int, initcond = '0');
COMMENT ON FUNCTION touch() IS 'touches';
REVOKE EXECUTE ON FUNCTION add1(int) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION add1(int) TO migcheck_fixes_reader;
CREATE TABLE parent (id serial PRIMARY KEY, m mood DEFAULT 'a', p pair,
   g int GENERATED ALWAYS AS (id * 2) STORED, i int GENERATED BY DEFAULT AS IDENTITY (START
    WITH 5),
   c text COLLATE "C" NOT NULL DEFAULT 'x');
COMMENT ON TABLE parent IS 'it''s the parent: :x \\:y 50% "q"';
COMMENT ON COLUMN parent.m IS 'mood';
GRANT SELECT (m) ON parent TO migcheck_fixes_reader;
GRANT SELECT, INSERT ON parent TO migcheck_fixes_reader;
ALTER TABLE parent ENABLE ROW LEVEL SECURITY;
CREATE TABLE child (id int REFERENCES parent(id) ON DELETE CASCADE DEFERRABLE INITIALLY
    DEFERRED, note text CHECK (note <> ''), UNIQUE (note)) WITH (fillfactor=70);
CREATE UNLOGGED TABLE scratch (a int);
CREATE INDEX ix_child ON child USING btree (lower(note) text_pattern_ops DESC, (note || 'x'))
    INCLUDE (id) WHERE note IS NOT NULL;
COMMENT ON INDEX ix_child IS 'ix';
CREATE TRIGGER t_child BEFORE UPDATE OF note ON child FOR EACH ROW WHEN (OLD.note IS DISTINCT
    FROM NEW.note) EXECUTE FUNCTION touch('a', 'b''c');
ALTER TABLE child DISABLE TRIGGER t_child;
CREATE POLICY p_child ON child AS RESTRICTIVE FOR UPDATE TO migcheck_fixes_reader USING (true)
    WITH CHECK (note <> 'z');
CREATE RULE r_child AS ON DELETE TO child DO INSTEAD NOTHING;
CREATE STATISTICS s_child (ndistinct) ON id, note FROM child;
CREATE VIEW v WITH (security_barrier=true) AS SELECT * FROM child;
CREATE VIEW vv AS SELECT * FROM v;
COMMENT ON VIEW vv IS 'vv';
COMMENT ON COLUMN vv.note IS 'a note';
CREATE MATERIALIZED VIEW mv AS SELECT id FROM parent;
CREATE INDEX ix_mv ON mv (id);
CREATE SEQUENCE loose_seq AS integer START 10 INCREMENT 5 MAXVALUE 1000 CYCLE;
CREATE TABLE orders (id int) PARTITION BY RANGE (id);
CREATE TABLE orders_1 PARTITION OF orders FOR VALUES FROM (1) TO (100);
CREATE INDEX ix_orders ON orders (id);
ALTER TABLE orders ADD PRIMARY KEY (id);
CREATE TABLE base (a int);
CREATE TABLE derived (b int) INHERITS (base);
CREATE TABLE keep (id int PRIMARY KEY, extra serial);
CREATE INDEX ix_keep ON keep (extra);
ALTER TABLE keep ADD CONSTRAINT ck_keep CHECK (id > 0);

""",
        """
DROP TABLE keep, derived, base, orders, child, parent, scratch CASCADE;
DROP SEQUENCE loose_seq;
DROP FUNCTION touch(), add1(int);
DROP PROCEDURE proc(int); DROP AGGREGATE agg(int);
DROP TYPE pair; DROP DOMAIN dmood; DROP TYPE mood;
CREATE TABLE keep (id int PRIMARY KEY);

""",
    ),
    RoundTrip(
        "lost schema, extension, collation, event trigger, default privileges",
        """
CREATE SCHEMA app;
COMMENT ON SCHEMA app IS 'the app';
GRANT USAGE ON SCHEMA app TO migcheck_fixes_reader;
CREATE EXTENSION citext WITH SCHEMA app;
CREATE TABLE app.t (c app.citext);
CREATE COLLATION app.nat (provider = icu, locale = 'und-u-kn-true');
CREATE COLLATION app.posix (provider = libc, locale = 'C');
CREATE COLLATION app.ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
CREATE FUNCTION app.evt() RETURNS event_trigger LANGUAGE plpgsql AS $$BEGIN END$$;
CREATE EVENT TRIGGER evt ON ddl_command_end WHEN TAG IN ('CREATE TABLE', 'ALTER TABLE') EXECUTE
    FUNCTION app.evt();
ALTER EVENT TRIGGER evt DISABLE;
ALTER DEFAULT PRIVILEGES IN SCHEMA app GRANT SELECT ON TABLES TO migcheck_fixes_reader;
ALTER DEFAULT PRIVILEGES GRANT EXECUTE ON FUNCTIONS TO migcheck_fixes_reader;
ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;

""",
        """
DROP EVENT TRIGGER evt; DROP SCHEMA app CASCADE;
ALTER DEFAULT PRIVILEGES GRANT EXECUTE ON FUNCTIONS TO PUBLIC;
ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM migcheck_fixes_reader;

""",
    ),
    RoundTrip(
        "changed columns and tables",
        """
CREATE TYPE mood AS ENUM ('a', 'b');
CREATE TABLE p (id int GENERATED ALWAYS AS IDENTITY, a varchar(20) DEFAULT 'x' NOT NULL, b text
    COLLATE "C", c int, d int GENERATED ALWAYS AS (c * 2) STORED, e int, m mood);
CREATE TABLE q (id int PRIMARY KEY) WITH (fillfactor=70);
CREATE TABLE r (x int);
CREATE TABLE parent (x int);
CREATE TABLE pt (id int) PARTITION BY LIST (id);
CREATE TABLE pt_1 PARTITION OF pt FOR VALUES IN (1);
ALTER TABLE q ENABLE ROW LEVEL SECURITY; ALTER TABLE q FORCE ROW LEVEL SECURITY;
ALTER TABLE q REPLICA IDENTITY FULL;
CREATE TYPE rt AS (x int);
CREATE TABLE typed (x int);
COMMENT ON COLUMN p.c IS 'c';
GRANT UPDATE (c) ON p TO migcheck_fixes_reader;
GRANT SELECT ON p TO migcheck_fixes_reader WITH GRANT OPTION;

""",
        """
ALTER TABLE p ALTER COLUMN id SET GENERATED BY DEFAULT, ALTER COLUMN id SET INCREMENT BY 5;
ALTER TABLE p ALTER COLUMN a TYPE text, ALTER COLUMN a DROP DEFAULT, ALTER COLUMN a DROP NOT NULL;
ALTER TABLE p ALTER COLUMN c SET NOT NULL, ALTER COLUMN c ADD GENERATED ALWAYS AS IDENTITY;
ALTER TABLE p ALTER COLUMN d DROP EXPRESSION;
ALTER TABLE p ALTER COLUMN e TYPE bigint, ALTER COLUMN e SET DEFAULT 1;
COMMENT ON COLUMN p.c IS NULL; REVOKE UPDATE (c) ON p FROM migcheck_fixes_reader;
REVOKE GRANT OPTION FOR SELECT ON p FROM migcheck_fixes_reader; GRANT DELETE ON p TO
    migcheck_fixes_reader;
ALTER TABLE q SET (fillfactor=50, autovacuum_enabled=false);
ALTER TABLE q DISABLE ROW LEVEL SECURITY; ALTER TABLE q NO FORCE ROW LEVEL SECURITY;
ALTER TABLE q REPLICA IDENTITY DEFAULT;
ALTER TABLE r SET UNLOGGED;
ALTER TABLE r INHERIT parent;
ALTER TABLE typed OF rt;
ALTER TABLE pt DETACH PARTITION pt_1;
COMMENT ON TABLE q IS 'q';

""",
        left=(
            "~ column p.d generated: c * 2 -> NULL",
            "~ column p.d generated_kind: stored -> NULL",
        ),
    ),
    RoundTrip(
        "changed indexes, constraints, sequences",
        """
CREATE TABLE t (a int, b text, c int);
CREATE INDEX ix_pred ON t (a) WHERE b = 'x';
CREATE UNIQUE INDEX ix_u ON t (a, b);
CREATE INDEX ix_cols ON t (a);
CREATE INDEX ix_opt ON t (c) WITH (fillfactor=60);
COMMENT ON INDEX ix_pred IS 'keep me';
ALTER TABLE t ADD CONSTRAINT ck CHECK (a > 0), ADD CONSTRAINT uq UNIQUE (c);
COMMENT ON CONSTRAINT ck ON t IS 'positive';
CREATE SEQUENCE s AS smallint START 3 INCREMENT 2 MINVALUE 1 MAXVALUE 900 CACHE 4 CYCLE OWNED
    BY t.a;

""",
        """
DROP INDEX ix_pred; CREATE INDEX ix_pred ON t (a);
COMMENT ON INDEX ix_pred IS 'keep me';
DROP INDEX ix_u; CREATE INDEX ix_u ON t (a, b) WHERE c > 1;
DROP INDEX ix_cols; CREATE INDEX ix_cols ON t (a, b);
ALTER INDEX ix_opt SET (fillfactor=80);
ALTER TABLE t DROP CONSTRAINT ck, ADD CONSTRAINT ck CHECK (a >= 0) NOT VALID;
COMMENT ON CONSTRAINT ck ON t IS 'not negative';
ALTER SEQUENCE s AS integer START 1 INCREMENT 1 MAXVALUE 2000 CACHE 1 NO CYCLE OWNED BY NONE;

""",
        left=("~ index ix_cols on t columns: (a) -> (a, b)",),
    ),
    RoundTrip(
        "changed types, functions, triggers, views, policies, rules, statistics, schemas",
        """
CREATE TYPE mood AS ENUM ('a', 'b', 'c');
CREATE TYPE lost AS ENUM ('x', 'y', 'z');
CREATE TYPE pair AS (x int, y text);
CREATE DOMAIN d AS int DEFAULT 1 NOT NULL CONSTRAINT ck_pos CHECK (VALUE > 0);
CREATE TABLE t (id int, m mood DEFAULT 'a', ms mood[], l lost);
CREATE FUNCTION f(a int) RETURNS int LANGUAGE sql IMMUTABLE SET search_path = public, pg_temp
    SET work_mem = '64MB' AS 'SELECT a';
CREATE FUNCTION tf() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;
CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION tf();
CREATE VIEW v WITH (security_barrier=true) AS SELECT id FROM t WHERE id > 0;
CREATE MATERIALIZED VIEW mv AS SELECT id FROM t;
CREATE POLICY pol ON t TO migcheck_fixes_reader USING (id > 0) WITH CHECK (id > 1);
CREATE RULE ru AS ON UPDATE TO t DO ALSO NOTHING;
CREATE STATISTICS st (ndistinct) ON id, m FROM t;
CREATE SCHEMA app;
GRANT USAGE ON TYPE mood TO migcheck_fixes_reader;

""",
        """
ALTER TYPE mood ADD VALUE 'd' BEFORE 'b';
ALTER TABLE t ALTER COLUMN l TYPE text; DROP TYPE lost; CREATE TYPE lost AS ENUM ('x', 'z');
ALTER TABLE t ALTER COLUMN l TYPE lost USING l::lost;
ALTER TYPE pair DROP ATTRIBUTE y, ALTER ATTRIBUTE x TYPE bigint;
ALTER DOMAIN d DROP DEFAULT; ALTER DOMAIN d DROP NOT NULL; ALTER DOMAIN d DROP CONSTRAINT ck_pos;
ALTER DOMAIN d ADD CONSTRAINT ck_big CHECK (VALUE > 10);
ALTER FUNCTION f(int) STABLE RESET work_mem SET statement_timeout = '5s' COST 7;
COMMENT ON FUNCTION f(int) IS 'f';
ALTER TABLE t DISABLE TRIGGER tr;
CREATE OR REPLACE VIEW v AS SELECT id FROM t;
ALTER VIEW v SET (security_barrier=false);
ALTER POLICY pol ON t TO PUBLIC USING (id > 5) WITH CHECK (id > 6);
CREATE OR REPLACE RULE ru AS ON UPDATE TO t DO INSTEAD NOTHING;
ALTER TABLE t DISABLE RULE ru;
DROP STATISTICS st; CREATE STATISTICS st (mcv) ON id, m FROM t;
COMMENT ON SCHEMA app IS 'app'; GRANT CREATE ON SCHEMA app TO migcheck_fixes_reader;
REVOKE USAGE ON TYPE mood FROM migcheck_fixes_reader;

""",
    ),
    RoundTrip(
        "views whose columns changed",
        """
CREATE TABLE t (id int, email text, score int);
CREATE VIEW wider AS SELECT id FROM t;
CREATE VIEW narrower AS SELECT id, email FROM t;
CREATE VIEW retyped AS SELECT id, score FROM t;
""",
        """
CREATE OR REPLACE VIEW wider AS SELECT id, email FROM t;
DROP VIEW narrower; CREATE VIEW narrower AS SELECT email FROM t;
DROP VIEW retyped; CREATE VIEW retyped AS SELECT id, score::bigint AS score FROM t;
""",
    ),
    RoundTrip(
        "MC203: left behind and lost at base",
        """
CREATE TABLE keep (id int PRIMARY KEY);
CREATE INDEX ix_keep ON keep (id);
CREATE SCHEMA app;
CREATE SEQUENCE app.s;
""",
        """
DROP INDEX ix_keep;
DROP SEQUENCE app.s;
CREATE TABLE settings (k text PRIMARY KEY);
CREATE TYPE mood AS ENUM ('a');
ALTER TABLE keep ADD COLUMN x int;
COMMENT ON TABLE keep IS 'k';
""",
        code="MC203",
    ),
    RoundTrip(
        "version-dependent: SQL-standard bodies, NULLS NOT DISTINCT",
        """
CREATE TABLE t (a int, b int, UNIQUE NULLS NOT DISTINCT (a));
CREATE UNIQUE INDEX ix ON t (b) NULLS NOT DISTINCT;
CREATE FUNCTION add1(a int) RETURNS int LANGUAGE sql IMMUTABLE RETURN a + 1;
CREATE FUNCTION add2(a int) RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT a + 2; END;
""",
        "DROP TABLE t; DROP FUNCTION add1(int), add2(int);",
        since=15,
    ),
    RoundTrip(
        "version-dependent: SET EXPRESSION, virtual columns",
        """
CREATE TABLE t (
    a int,
    b int GENERATED ALWAYS AS (a * 2) STORED,
    c int GENERATED ALWAYS AS (a * 3) VIRTUAL
)
""",
        "ALTER TABLE t ALTER COLUMN b SET EXPRESSION AS (a * 4); ALTER TABLE t DROP COLUMN c",
        since=18,
    ),
)


@pytest.fixture(scope="module")
def reader(pg_server: Server) -> str:
    with psycopg.connect(pg_server.url, autocommit=True) as conn:
        conn.execute(
            f"DO $$ BEGIN CREATE ROLE {READER}; EXCEPTION WHEN duplicate_object THEN NULL; END $$"
        )
    return READER


def _run_as_a_revision(url: str, code: str) -> None:
    """``code`` run as a revision's downgrade() runs it: Alembic's op, in a transaction."""
    engine = sqlalchemy.create_engine(
        url.replace("postgresql://", "postgresql+psycopg://", 1), poolclass=sqlalchemy.pool.NullPool
    )
    try:
        with engine.begin() as connection:
            exec(code, {"op": Operations(MigrationContext.configure(connection))})
    finally:
        engine.dispose()


@pytest.mark.server
@pytest.mark.parametrize("case", ROUND_TRIPS, ids=lambda case: case.name)
def test_round_trip(case: RoundTrip, pg_server: Server, reader: str) -> None:
    """Every kind left behind, lost and changed: the suggestion brings the schema back."""
    if pg_server.pg_version < case.since:
        pytest.skip(f"needs PostgreSQL {case.since}")
    with (
        scratch_database(pg_server) as url,
        psycopg.connect(url, autocommit=True) as work,
        psycopg.connect(url, autocommit=True) as reading,
    ):
        catalog = Catalog(reading)
        if case.before:
            work.execute(case.before)
        before = catalog.take()
        work.execute(case.change)
        changes = diff(before, catalog.take())
        finding = Finding(case.code, "m", changes=changes, pg_version=pg_server.pg_version)
        code = "\n".join(suggest(finding))
        _run_as_a_revision(url, code)
        if case.code == "MC203":  # guarded: also runs where the schema is already right
            _run_as_a_revision(url, code)
        left = tuple(d for d in diff(before, catalog.take()) if not is_reordering(d))
        assert render_all(left) == case.left


PROJECTS = Path(__file__).parent / "projects"
FIXED = (Code.MC201, Code.MC203)


def _expects_a_fix(folder: Path) -> bool:
    expected = json.loads((folder / "expected.json").read_text())
    return any(finding["code"] in FIXED for finding in expected.get("findings", []))


FIXTURES = sorted(
    p.name for p in PROJECTS.iterdir() if (p / "expected.json").is_file() and _expects_a_fix(p)
)
# Fixtures whose MC201/MC203 a suggestion cannot make go, and why: none today. (Every
# fixture's differences are of a kind fixes derives exactly; the notes fixes prints
# instead of statements are proven by test_round_trip's ``left``.)
UNFIXABLE: dict[str, str] = {}


def _revisions(folder: Path) -> Iterator[tuple[str, bool, Path]]:
    """(revision id, whether it is a base, file) of every revision file under ``folder``."""
    for path in sorted(folder.rglob("*.py")):
        found: dict[str, object] = {}
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            target = (
                node.targets[0] if isinstance(node, ast.Assign) else getattr(node, "target", None)
            )
            value = getattr(node, "value", None)
            if isinstance(target, ast.Name) and isinstance(value, ast.Constant):
                found[target.id] = value.value
        if isinstance(found.get("revision"), str) and "down_revision" in found:
            yield str(found["revision"]), found["down_revision"] is None, path


def _paste(path: Path, lines: tuple[str, ...]) -> None:
    """``lines`` at the end of downgrade()'s body, indented as the body is."""
    source = path.read_text(encoding="utf-8")
    function = next(
        node
        for node in ast.parse(source).body
        if isinstance(node, ast.FunctionDef) and node.name == "downgrade"
    )
    indent = " " * function.body[0].col_offset
    text = source.splitlines(keepends=True)
    assert function.end_lineno is not None
    text[function.end_lineno : function.end_lineno] = [indent + line + "\n" for line in lines]
    path.write_text("".join(text), encoding="utf-8")
    ast.parse(path.read_text(encoding="utf-8"))


@pytest.mark.server
@pytest.mark.parametrize("case", FIXTURES)
def test_the_suggestion_fixes_the_fixture(
    case: str, url_config: Config, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fixture walked; each MC201/MC203 suggestion pasted into the downgrade() it
    blames (MC203: the first revision's); walked again: those findings are gone."""
    if case in UNFIXABLE:
        pytest.xfail(UNFIXABLE[case])
    folder = tmp_path / case
    shutil.copytree(PROJECTS / case, folder)
    # Neither the models (MC301), the rows in the tables nor the locks are what is proven
    # here: left out, which saves time.
    config, expected = case_config(
        folder, url_config, monkeypatch, models=False, rows=0, locks=False
    )
    found = [f for f in check(config).findings if f.code in FIXED]
    wanted = {(f["code"], f["revision"]) for f in expected["findings"] if f["code"] in FIXED}
    assert {(f.code, f.revision) for f in found} == wanted
    revisions = list(_revisions(folder))
    for finding in found:
        suggestion = suggest(finding)
        assert suggestion, finding
        for revision, base, path in revisions:
            if revision == finding.revision or (finding.revision is None and base):
                _paste(path, suggestion)
    again = {(f.code, f.revision) for f in check(config).findings}
    assert again.isdisjoint(wanted)
