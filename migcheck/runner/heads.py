"""The heads a run starts from, as migcheck read them after the last run: Alembic need not
ask the database whether its version table exists and what it holds (two queries at the
start of every run, most of what one ``alembic`` run costs beyond its migrations)."""

import contextlib
from typing import Any, Dict, Iterator, Optional


@contextlib.contextmanager
def known(heads: Optional[Dict[str, Any]]) -> Iterator[None]:
    """While the run lasts, a migration context on ``heads["table"]`` in
    ``heads["schema"]`` starts from ``heads["revisions"]``; any other (a second version
    table of env.py's) reads its own."""
    if not heads:
        yield
        return
    from alembic.runtime.migration import MigrationContext

    original = MigrationContext.get_current_heads
    revisions = tuple(heads["revisions"])

    def current(context: Any) -> Any:
        same = (context.version_table, context.version_table_schema) == (
            heads["table"],
            heads["schema"],
        )
        if same and not getattr(context, "as_sql", False):
            return revisions
        return original(context)

    MigrationContext.get_current_heads = current  # type: ignore[method-assign,assignment]
    try:
        yield
    finally:
        MigrationContext.get_current_heads = original  # type: ignore[method-assign]
