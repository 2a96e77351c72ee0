"""Setting attributes back on routines, triggers, policies, rules, statistics,
extensions and event triggers."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from migcheck.diff import object_name
from migcheck.fixes.names import relation, routine, table
from migcheck.fixes.reverted import Handler, Reverted, by_hand
from migcheck.fixes.sql import Note, Sql, Statement, Style, ident, items, literal
from migcheck.snapshot import Value

# Settings whose value is a list of names, written as they are (pg_get_functiondef
# does the same); any other value is a string constant.
_LIST_SETTINGS = frozenset(
    {"search_path", "temp_tablespaces", "session_preload_libraries"}
    | {"shared_preload_libraries", "local_preload_libraries"}
)
_ROUTINE_CLAUSES: dict[str, Callable[[Value], str]] = {
    "volatility": lambda v: str(v).upper(),
    "strict": lambda v: "STRICT" if v else "CALLED ON NULL INPUT",
    "security_definer": lambda v: "SECURITY DEFINER" if v else "SECURITY INVOKER",
    "leakproof": lambda v: "LEAKPROOF" if v else "NOT LEAKPROOF",
    "parallel": lambda v: f"PARALLEL {str(v).upper()}",
    "cost": lambda v: f"COST {v}",
    "rows": lambda v: f"ROWS {v}",
}
_ENABLED = {"origin": "ENABLE", "disabled": "DISABLE", "replica": "ENABLE REPLICA"}
_ENABLED |= {"always": "ENABLE ALWAYS"}


def _function(change: Reverted, style: Style) -> Iterator[Statement]:
    key, values = change.key, change.values
    if "body" in values:
        yield Note(
            f"{object_name(key)}: CREATE OR REPLACE it with the body it had:\n"
            + str(change.wanted("body"))
        )
    clauses = [
        clause(change.wanted(name))
        for name, clause in _ROUTINE_CLAUSES.items()
        if name in values and change.wanted(name) is not None
    ]
    if "config" in values:
        old, new = (_settings(value) for value in values["config"])
        clauses += [f"RESET {name}" for name in new if name not in old]
        clauses += [
            f"SET {setting(f'{name}={value}')}"
            for name, value in old.items()
            if new.get(name) != value
        ]
    if clauses:
        yield Sql(f"ALTER {routine(change.obj)} {relation(key, style)} {' '.join(clauses)}")


def setting(item: str) -> str:
    """A routine's setting (``search_path=public, pg_temp``) as SET writes it."""
    name, _, value = item.partition("=")
    return f"{name} = {value if name in _LIST_SETTINGS else literal(value)}"


def _settings(value: Value) -> dict[str, str]:
    return dict(item.split("=", 1) for item in items(value) if "=" in item)


def _trigger(change: Reverted, style: Style) -> Iterator[Statement]:
    if "enabled" in change.values:
        verb = _ENABLED[str(change.wanted("enabled"))]
        yield Sql(f"ALTER TABLE {table(change.key, style)} {verb} TRIGGER {ident(change.key.name)}")


def _policy(change: Reverted, style: Style) -> Iterator[Statement]:
    key, values = change.key, change.values
    policy = f"ALTER POLICY {ident(key.name)} ON {table(key, style)}"
    if "roles" in values:
        roles = items(change.wanted("roles")) or ("public",)
        yield Sql(f"{policy} TO {', '.join('PUBLIC' if r == 'public' else r for r in roles)}")
    for name, clause in (("using", "USING"), ("with_check", "WITH CHECK")):
        if name in values and change.wanted(name) is None:
            yield by_hand(key, name, None)
        elif name in values:
            yield Sql(f"{policy} {clause} ({change.wanted(name)})")


def _rule(change: Reverted, style: Style) -> Iterator[Statement]:
    key, values = change.key, change.values
    if "definition" in values:
        definition = str(change.wanted("definition")).rstrip().removesuffix(";")
        yield Sql(definition.replace("CREATE RULE", "CREATE OR REPLACE RULE", 1))
    else:
        for name in ("event", "instead"):
            if name in values:
                yield by_hand(key, name, change.wanted(name))
    if "enabled" in values:
        verb = _ENABLED[str(change.wanted("enabled"))]
        yield Sql(f"ALTER TABLE {table(key, style)} {verb} RULE {ident(key.name)}")


def _statistics(change: Reverted, style: Style) -> Iterator[Statement]:
    if "definition" in change.values:
        yield Sql(f"DROP STATISTICS {relation(change.key, style)}")
        yield Sql(str(change.wanted("definition")))


def _extension(change: Reverted, style: Style) -> Iterator[Statement]:
    if "version" in change.values:
        version = literal(str(change.wanted("version")))
        yield Sql(f"ALTER EXTENSION {ident(change.key.name)} UPDATE TO {version}")


def _event_trigger(change: Reverted, style: Style) -> Iterator[Statement]:
    if "enabled" in change.values:
        verb = _ENABLED[str(change.wanted("enabled"))]
        yield Sql(f"ALTER EVENT TRIGGER {ident(change.key.name)} {verb}")


HANDLERS: dict[str, tuple[Handler, frozenset[str]]] = {
    "function": (
        _function,
        frozenset({"body", "config"}) | _ROUTINE_CLAUSES.keys(),
    ),
    "trigger": (_trigger, frozenset({"enabled"})),
    "policy": (_policy, frozenset({"roles", "using", "with_check"})),
    "rule": (_rule, frozenset({"event", "instead", "definition", "enabled"})),
    "statistics": (_statistics, frozenset({"definition"})),
    "extension": (_extension, frozenset({"version"})),
    "event_trigger": (_event_trigger, frozenset({"enabled"})),
}
