"""The SQL a downgrade is missing, derived from a finding's differences: lines of Python
ready to paste at the end of the blamed revision's ``downgrade()``.

``suggest(finding)`` reads only the finding's records (``Finding.changes``); it touches
no database. What cannot be derived exactly is said as a ``#`` comment line naming what
to restore by hand, never as a statement that might be wrong.
"""

from __future__ import annotations

from migcheck.codes import Code
from migcheck.findings import Finding
from migcheck.fixes.plan import plan
from migcheck.fixes.sql import Note, Style, python

__all__ = ["suggest"]

_AT_BASE = Note(
    "Only downgrading the whole history in one run leaves this behind: usually a setting\n"
    "that a later revision's downgrade leaves in force (SET LOCAL search_path). Better not\n"
    "leak it; else paste this at the end of the first revision's downgrade():"
)


def suggest(finding: Finding) -> tuple[str, ...]:
    """What to paste into ``downgrade()`` so that the finding's differences go away.

    Per code:

    - MC201 (the downgrade did not restore the schema): the differences are "before the
      upgrade" against "after the downgrade". What the downgrade left behind is dropped
      (dependents first: a table's indexes go with it, a type goes after the tables
      using it), what it lost is made again, attributes it changed are set back.
    - MC203 (the schema is not empty after downgrading to base): the same statements,
      schema-qualified (a search_path set by another revision may still be in force)
      and with IF EXISTS / IF NOT EXISTS, because they go at the end of the first
      revision's downgrade, where the objects exist only when the whole history is
      downgraded in one run. Objects PostgreSQL cannot create conditionally are noted.
    - MC202 (upgrading again built a different schema) and every other code: nothing.
      The second upgrade is what differs; what a downgrade leaves behind is already an
      MC201 of that revision with its own suggestion, and the rest (an upgrade that
      tolerates leftovers with IF NOT EXISTS, a setting one revision leaks into the next
      in a single run) is fixed in upgrade(), not by a statement in downgrade().

    Empty when there is nothing to suggest (no recorded differences).
    """
    if finding.code == Code.MC201:
        style = Style(pg_version=finding.pg_version)
        header: tuple[Note, ...] = ()
    elif finding.code == Code.MC203:
        style = Style(pg_version=finding.pg_version, qualify=True, guarded=True)
        header = (_AT_BASE,)
    else:
        return ()
    statements = plan(finding.changes, style)
    if not statements:
        return ()
    return tuple(line for statement in (*header, *statements) for line in python(statement))
