"""CREATE statements of domains, routines, triggers, policies, event triggers and
collations, from their snapshot attributes."""

from __future__ import annotations

from migcheck.fixes.alter_routines import setting
from migcheck.fixes.names import relation, table
from migcheck.fixes.sql import (
    Note,
    Sql,
    Statement,
    Style,
    dollar,
    ident,
    items,
    literal,
    qualified,
)
from migcheck.snapshot import SchemaObject


def domain(obj: SchemaObject, name: str) -> str:
    get = obj.get
    text = f"CREATE DOMAIN {name} AS {get('type')}"
    if get("collation") is not None:
        text += f" COLLATE {get('collation')}"
    if get("default") is not None:
        text += f" DEFAULT {get('default')}"
    if get("not_null"):
        text += " NOT NULL"
    for check in items(get("checks")):
        constraint, _, definition = check.partition(": ")
        text += f" CONSTRAINT {ident(constraint)} {definition}"
    return text


def function(obj: SchemaObject, style: Style) -> Statement:
    key, get = obj.key, obj.get
    kind, language, body = get("kind"), str(get("language")), str(get("body"))
    name = qualified(key.schema, key.name.partition("(")[0], style)
    if kind == "aggregate":
        return Sql(f"CREATE AGGREGATE {name}({get('arguments')}) ({body})")
    if language in ("c", "internal"):
        return Note(f"{relation(key, style)}: re-create it from its {language} library by hand")
    word = "PROCEDURE" if kind == "procedure" else "FUNCTION"
    lines = [f"CREATE {'OR REPLACE ' if style.guarded else ''}{word} {name}({get('arguments')})"]
    if kind != "procedure":
        lines.append(f"RETURNS {get('returns')}")
    lines.append(f"LANGUAGE {language}")
    if kind == "window":
        lines.append("WINDOW")
    if kind != "procedure":
        lines += _function_properties(obj)
    lines += [f"SET {setting(item)}" for item in items(get("config"))]
    if language == "sql" and body.startswith(("RETURN ", "BEGIN ATOMIC")):
        lines.append(body)
    else:
        lines.append(f"AS {dollar(body)}")
    return Sql("\n".join(lines), exact="\n" in body)


def _function_properties(obj: SchemaObject) -> list[str]:
    get = obj.get
    found = []
    if get("volatility") != "volatile":
        found.append(str(get("volatility")).upper())
    if get("strict"):
        found.append("STRICT")
    if get("security_definer"):
        found.append("SECURITY DEFINER")
    if get("leakproof"):
        found.append("LEAKPROOF")
    if get("parallel") != "unsafe":
        found.append(f"PARALLEL {str(get('parallel')).upper()}")
    if get("cost") not in ("100", None):
        found.append(f"COST {get('cost')}")
    if get("rows") not in ("1000", None):
        found.append(f"ROWS {get('rows')}")
    return found


def trigger(obj: SchemaObject, style: Style, replace: str) -> str:
    key, get = obj.key, obj.get
    columns = ", ".join(items(get("columns")))
    events = " OR ".join(
        f"{event} OF {columns}" if event == "UPDATE" and columns else event
        for event in items(get("events"))
    )
    constraint = "CONSTRAINT " if get("constraint") else ""
    text = f"CREATE {replace if not constraint else ''}{constraint}TRIGGER {ident(key.name)}"
    text += f" {get('timing')} {events} ON {table(key, style)}"
    if constraint:
        deferrable = "DEFERRABLE" if get("deferrable") else "NOT DEFERRABLE"
        initially = "DEFERRED" if get("deferred") else "IMMEDIATE"
        text += f" {deferrable} INITIALLY {initially}"
    if get("referencing") is not None:
        text += f" REFERENCING {get('referencing')}"
    text += f" FOR EACH {str(get('level')).upper()}"
    if get("when") is not None:
        text += f" WHEN ({get('when')})"
    arguments = ", ".join(map(literal, items(get("arguments"))))
    return text + f" EXECUTE FUNCTION {get('function')}({arguments})"


def policy(obj: SchemaObject, style: Style) -> str:
    key, get = obj.key, obj.get
    text = f"CREATE POLICY {ident(key.name)} ON {table(key, style)}"
    if not get("permissive"):
        text += " AS RESTRICTIVE"
    roles = items(get("roles")) or ("public",)
    text += f" FOR {get('command')} TO "
    text += ", ".join("PUBLIC" if role == "public" else role for role in roles)
    if get("using") is not None:
        text += f" USING ({get('using')})"
    if get("with_check") is not None:
        text += f" WITH CHECK ({get('with_check')})"
    return text


def collation(obj: SchemaObject, name: str, exists: str) -> str:
    get = obj.get
    provider = str(get("provider"))
    settings = [f"provider = {provider}"]
    if provider == "libc":
        settings.append(f"lc_collate = {literal(str(get('lc_collate')))}")
        settings.append(f"lc_ctype = {literal(str(get('lc_ctype')))}")
    else:
        settings.append(f"locale = {literal(str(get('locale') or get('lc_collate')))}")
    if get("icu_rules") is not None:
        settings.append(f"rules = {literal(str(get('icu_rules')))}")
    if get("deterministic") is False:
        settings.append("deterministic = false")
    return f"CREATE COLLATION {exists}{name} ({', '.join(settings)})"


def event_trigger(obj: SchemaObject, name: str) -> str:
    get = obj.get
    tags = items(get("tags"))
    when = f" WHEN TAG IN ({', '.join(map(literal, tags))})" if tags else ""
    run = f"EXECUTE FUNCTION {get('function')}()"
    return f"CREATE EVENT TRIGGER {name} ON {get('event')}{when} {run}"
