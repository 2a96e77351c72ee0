"""The table of finding codes: one row per code, as data.

Severity, title and help come from here and nowhere else; so do the categories reporters
group findings by (the revision graph's checks, what only comparing versions shows): a
row's ``stage``, never read off the code's digits.
"""

from __future__ import annotations

from collections.abc import Mapping

from migcheck.codes import live, table
from migcheck.codes.rule import DOCS, Code, Function, Rule, Severity, Stage

__all__ = ["CODES", "DOCS", "RULES", "Code", "Function", "Rule", "Severity", "Stage", "of_stage"]

# In the order of the Code enum: reporters and the documentation list them so.
RULES: tuple[Rule, ...] = tuple(
    sorted((*table.RULES, *live.RULES), key=lambda rule: list(Code).index(rule.code))
)

# By code. Keyed by Code members, which are strs: CODES["MC201"] finds the same row.
CODES: Mapping[str, Rule] = {rule.code: rule for rule in RULES}


def of_stage(stage: Stage) -> tuple[Code, ...]:
    """The codes of ``stage``, in the table's order."""
    return tuple(rule.code for rule in RULES if rule.stage is stage)
