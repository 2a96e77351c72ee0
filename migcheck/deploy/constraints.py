"""The constraints of the release's tables on the schema at hand, read after each
revision: the checks (a new one is tried with the values it names) and the single-column
foreign keys (a new one over a column the release fills gets the parent row's value, as
the release's own writes would)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import psycopg

from migcheck.deploy.statements import OldTable

# Each table by its key (schema.name, or name in the current schema), and its checks and
# foreign keys; a foreign key's parent named by its key when it is one of the tables.
_QUERY = """
WITH t(key, schema, name) AS (
    SELECT * FROM unnest(%(keys)s::text[], %(schemas)s::text[], %(names)s::text[])
)
SELECT t.key, k.contype::text, k.conname::text, pg_get_constraintdef(k.oid),
       ARRAY(SELECT a.attname::text FROM unnest(k.conkey) WITH ORDINALITY AS o(n, i)
             JOIN pg_attribute AS a ON a.attrelid = k.conrelid AND a.attnum = o.n
             ORDER BY o.i),
       p.key,
       ARRAY(SELECT a.attname::text FROM unnest(k.confkey) WITH ORDINALITY AS o(n, i)
             JOIN pg_attribute AS a ON a.attrelid = k.confrelid AND a.attnum = o.n
             ORDER BY o.i)
FROM t
JOIN pg_namespace AS n ON n.nspname = coalesce(t.schema, current_schema())
JOIN pg_class AS c ON c.relnamespace = n.oid AND c.relname = t.name
JOIN pg_constraint AS k ON k.conrelid = c.oid AND k.contype IN ('c', 'f')
LEFT JOIN pg_class AS pc ON pc.oid = k.confrelid
LEFT JOIN pg_namespace AS pn ON pn.oid = pc.relnamespace
LEFT JOIN t AS p ON coalesce(p.schema, current_schema()) = pn.nspname AND p.name = pc.relname
ORDER BY t.key, k.conname
"""

Check = tuple[str, str, tuple[str, ...]]  # name, definition, columns


@dataclass(frozen=True, slots=True)
class Constraints:
    checks: dict[str, list[Check]] = field(default_factory=dict)
    # table -> column -> (parent table, parent column)
    references: dict[str, dict[str, tuple[str, str]]] = field(default_factory=dict)


def read(connection: psycopg.Connection[Any], tables: Sequence[OldTable]) -> Constraints:
    found = Constraints({t.key: [] for t in tables}, {t.key: {} for t in tables})
    rows = connection.execute(
        _QUERY,
        {
            "keys": [t.key for t in tables],
            "schemas": [t.schema for t in tables],
            "names": [t.name for t in tables],
        },
    )
    for key, kind, name, definition, columns, parent, parent_columns in rows:
        if kind == "c":
            found.checks[key].append((name, definition, tuple(columns)))
        elif parent is not None and len(columns) == 1:
            found.references[key][columns[0]] = (parent, parent_columns[0])
    return found
