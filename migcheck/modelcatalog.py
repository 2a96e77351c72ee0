"""The catalog half of the models comparison (MC301): the schema at head and the models'
own database compared as PostgreSQL prints them, limited to what the project's
autogenerate settings let Alembic see.

What Alembic would not compare is left out: tables, columns and indexes its
``include_object`` / ``include_name`` hooks exclude (and enum types only they use), and
CHECK constraints only the migrations create (models rarely mirror a database's CHECKs
and Alembic never compares them). What only differs in spelling is left out too: two
``nextval`` defaults of the sequence each column owns (a table renamed after its serial
was created keeps the sequence's old name), and two defaults the server evaluates equal
(``CURRENT_TIMESTAMP`` and ``now()``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence

from migcheck.diff import Difference, diff, render_all
from migcheck.snapshot import Key, SchemaObject, Snapshot

# (head default, head type, models default, models type) -> do both evaluate equal?
SameDefault = Callable[[str, str, str, str], bool]

_COLUMN_ATTRIBUTES = ("type", "default")
_INDEX_ATTRIBUTES = ("unique", "method", "columns", "include", "predicate", "nulls_not_distinct")
_NEXTVAL = re.compile(r"nextval\('((?:[^']|'')*)'::regclass\)")
_IDENT = re.compile(r'"((?:[^"]|"")*)"|([^."]+)')
# Functions whose effect a rolled back savepoint does not undo: such defaults are never
# evaluated, only compared as text.
_SIDE_EFFECTS = re.compile(
    r"\b(nextval|setval|pg_advisory\w*|dblink\w*|lo_\w+|pg_sleep\w*|pg_terminate_backend"
    r"|pg_cancel_backend|pg_reload_conf|pg_notify)\s*\(",
    re.IGNORECASE,
)


def _names(text: str) -> tuple[str, ...]:
    """``a."B c".d`` -> ("a", "B c", "d"): a dotted name as the catalog quotes it."""
    return tuple(
        quoted.replace('""', '"') if quoted else plain for quoted, plain in _IDENT.findall(text)
    )


def _owned(side: Mapping[Key, SchemaObject]) -> dict[tuple[str, str, str], tuple[str, str]]:
    """(schema, table, column) -> (schema, name) of the sequence that column owns."""
    owned: dict[tuple[str, str, str], tuple[str, str]] = {}
    for key, obj in side.items():
        owner = obj.get("owned_by") if key.kind == "sequence" else None
        if isinstance(owner, str):
            parts = _names(owner)
            schema, table, column = parts if len(parts) == 3 else (key.schema, *parts)
            owned[(schema, table, column)] = (key.schema, key.name)
    return owned


def _serial(key: Key, default: str, owned: Mapping[tuple[str, str, str], tuple[str, str]]) -> bool:
    """Whether ``default`` is the ``nextval`` of the sequence the column owns, whatever
    that sequence is named."""
    match = _NEXTVAL.fullmatch(default)
    sequence = owned.get((key.schema, key.parent, key.name))
    if match is None or sequence is None:
        return False
    named = _names(match.group(1).replace("''", "'"))
    return named[-1] == sequence[1] and (len(named) == 1 or named[0] == sequence[0])


def _view(
    side: Mapping[Key, SchemaObject],
    other: Mapping[Key, SchemaObject],
    tables: set[tuple[str, str]],
    *,
    skip: set[str],
    exclude: frozenset[Key],
    models: bool,
) -> dict[Key, SchemaObject]:
    kept: dict[Key, SchemaObject] = {}
    for key, obj in side.items():
        on_table = (key.schema, key.parent) in tables
        if key in exclude:
            continue
        if key.kind == "column" and on_table and key in other:
            kept[key] = _project(obj, _COLUMN_ATTRIBUTES)
        elif key.kind == "index" and on_table and key in other and key.name not in skip:
            kept[key] = _project(obj, _INDEX_ATTRIBUTES)
        elif key.kind == "constraint" and on_table and obj.get("type") == "check":
            if models or key in other:  # not the CHECKs only the migrations create
                kept[key] = _project(obj, ("type", "definition"))
        elif key.kind == "enum" and (models or key in other):
            kept[key] = _project(obj, ("labels",))
    return kept


def _project(obj: SchemaObject, names: Sequence[str]) -> SchemaObject:
    return SchemaObject(obj.key, tuple((n, v) for n, v in obj.attributes if n in names))


def compared_columns(
    head: Snapshot, models: Snapshot, *, exclude: frozenset[Key] = frozenset()
) -> set[Key]:
    """The columns whose type and default the catalog comparison judges."""
    ours, theirs = head.by_key(), models.by_key()
    tables = _tables(ours, theirs, exclude)
    return {
        k
        for k in ours
        if k.kind == "column"
        and k in theirs
        and k not in exclude
        and (k.schema, k.parent) in tables
    }


def _tables(
    ours: Mapping[Key, SchemaObject], theirs: Mapping[Key, SchemaObject], exclude: frozenset[Key]
) -> set[tuple[str, str]]:
    return {(k.schema, k.name) for k in ours if k.kind == "table" and k in theirs} - {
        (k.schema, k.name) for k in exclude if k.kind == "table"
    }


def catalog_lines(
    head: Snapshot,
    models: Snapshot,
    *,
    skip: set[str],
    exclude: frozenset[Key] = frozenset(),
    same: SameDefault | None = None,
) -> tuple[str, ...]:
    """``catalog_differences`` as diff lines."""
    differences = catalog_differences(head, models, skip=skip, exclude=exclude, same=same)
    return render_all(differences, fold=False)


def catalog_differences(
    head: Snapshot,
    models: Snapshot,
    *,
    skip: set[str],
    exclude: frozenset[Key] = frozenset(),
    same: SameDefault | None = None,
) -> tuple[Difference, ...]:
    """What the catalog shows differently between the schema at head and the models'
    own: column types and defaults, indexes both have (but ``skip``, already reported),
    CHECK constraints of the models, and the labels of the models' enum types; never the
    objects in ``exclude``. Tables and columns on one side only are autogenerate's to
    report. ``same`` says whether two default expressions evaluate equal."""
    ours, theirs = head.by_key(), models.by_key()
    tables = _tables(ours, theirs, exclude)
    mine = _view(ours, theirs, tables, skip=skip, exclude=exclude, models=False)
    yours = _view(theirs, ours, tables, skip=skip, exclude=exclude, models=True)
    owned_ours, owned_theirs = _owned(ours), _owned(theirs)
    for key, obj in list(yours.items()):
        if key.kind != "column" or key not in mine:
            continue
        a, b = mine[key].get("default"), obj.get("default")
        if a == b or not isinstance(a, str) or not isinstance(b, str):
            continue
        if _serial(key, a, owned_ours) and _serial(key, b, owned_theirs):
            equal = True
        elif same is None or _SIDE_EFFECTS.search(a) or _SIDE_EFFECTS.search(b):
            equal = False
        else:
            equal = same(a, str(mine[key].get("type")), b, str(obj.get("type")))
        if equal:
            values = dict(obj.attributes) | {"default": a}
            yours[key] = SchemaObject(key, tuple(values.items()))

    def snapshot(kept: dict[Key, SchemaObject]) -> Snapshot:
        return Snapshot(tuple(sorted(kept.values(), key=lambda o: o.key)))

    return diff(snapshot(mine), snapshot(yours))
