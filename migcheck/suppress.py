"""Findings accepted on purpose, gathered before any server starts: the revision files'
``# migcheck: ignore MC201 -- reason`` comments and the settings' ``ignore`` entries, and
``apply``: the one place that decides which findings they accept, for ``check`` (with
``--changed`` too), ``merge`` and the pytest plugin's items alike.

A comment applies to the findings of the revision its file declares. The files are
tokenized, not imported, so only real comments count (not text in a docstring); they are
read once, with the rest of what the revision graph's checks read
(``migcheck.revision_files``). Each suppression is checked where it is written: a missing
reason, an unknown code or an unknown revision is an error naming the file and line, or
the settings key.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path

from migcheck.codes import CODES, DOCS, RULES, Code
from migcheck.config import Config
from migcheck.errors import UsageError
from migcheck.findings import Finding, Suppression, suppress
from migcheck.revision_files import Comment, Parsed

_EXAMPLE = "# migcheck: ignore MC201 -- why it is accepted"
_RANGE = f"{RULES[0].code}-{RULES[-1].code}"  # MC101-MC406


def in_comments(revision: str, path: Path, found: Iterable[Comment]) -> Iterator[Suppression]:
    """The suppressions the ``# migcheck:`` comments of ``path``, the file of
    ``revision``, declare."""
    for comment in found:
        where = f"{path}:{comment.line}"
        word, _, rest = comment.text.strip().partition(" ")
        if word != "ignore":
            raise UsageError(f"{where}: unknown migcheck comment {word!r}; write {_EXAMPLE}")
        listed, dashes, reason = rest.partition("--")
        codes = [code.upper() for code in re.split(r"[\s,]+", listed.strip()) if code]
        if not codes:
            raise UsageError(f"{where}: name the codes to ignore: {_EXAMPLE}")
        for code in codes:
            if code not in CODES:
                raise UsageError(
                    f"{where}: {code!r} is not a migcheck finding code ({_RANGE}, listed "
                    f"at {DOCS}codes/); write {_EXAMPLE}"
                )
        if not dashes or not reason.strip():
            raise UsageError(
                f"{where}: a suppression needs a reason after --: "
                f"# migcheck: ignore {', '.join(codes)} -- why it is accepted"
            )
        for code in codes:
            yield Suppression(code, reason.strip(), revision, source=where, comment=True)


def _resolved(entry: Suppression, ids: Collection[str]) -> Suppression:
    """A settings entry with its revision prefix made the full id."""
    if entry.revision is None or entry.revision in ids:
        return entry
    matches = sorted(i for i in ids if i.startswith(entry.revision))
    if len(matches) == 1:
        return replace(entry, revision=matches[0])
    if not matches:
        raise UsageError(
            f"{entry.source}: revision {entry.revision!r} is not in the history: give a "
            "revision id or a unique prefix of one, or leave revision out for every revision"
        )
    raise UsageError(
        f"{entry.source}: revision {entry.revision!r} is the prefix of {', '.join(matches)}: "
        "give more of the id"
    )


def accepted(
    config: Config, parsed: Iterable[Parsed], *, refuse: Collection[str] = ()
) -> tuple[Suppression, ...]:
    """Every suppression of the project: the comments of each revision file, as read
    once (``parsed``), then ``config.ignore``. A suppression of a code in ``refuse`` is an
    error: a finding that stops the check cannot be accepted."""
    files = list(parsed)
    found = [s for p in files for s in in_comments(p.id, p.path, p.comments)]
    return _with_settings(config, found, {p.id for p in files}, refuse)


def _with_settings(
    config: Config, found: list[Suppression], ids: Collection[str], refuse: Collection[str]
) -> tuple[Suppression, ...]:
    found = found + [_resolved(entry, ids) for entry in config.ignore]
    for suppression in found:
        if suppression.code in refuse:
            raise UsageError(
                f"{suppression.source}: {suppression.code} cannot be suppressed: migcheck "
                "cannot walk such a history; fix the revision graph instead"
            )
    return tuple(found)


def apply(findings: Iterable[Finding], suppressions: Sequence[Suppression]) -> tuple[Finding, ...]:
    """``findings`` with those ``suppressions`` accept marked (by the first matching one's
    reason); they stay in the report and no longer fail it. What a finding already
    carries (a shard's, a version's own) stays.

    An MC104 stands for the failures of each version it replaces: accepting it accepts
    them (a merge that compares them again, an item of one version, see the same), and
    an MC104 whose failures were each accepted on their version is accepted with them.
    """
    return tuple(_compared(f, suppressions) for f in suppress(findings, suppressions))


def _compared(finding: Finding, suppressions: Sequence[Suppression]) -> Finding:
    if finding.code != Code.MC104 or not finding.replaces:
        return finding
    replaced = suppress(finding.replaces, suppressions)
    if finding.suppressed is not None:
        replaced = tuple(
            f
            if f.suppressed is not None
            else replace(f, suppressed=finding.suppressed, suppressed_by=finding.suppressed_by)
            for f in replaced
        )
    elif all(f.suppressed is not None for f in replaced):
        first = replaced[0]
        finding = replace(finding, suppressed=first.suppressed, suppressed_by=first.suppressed_by)
    return finding if replaced == finding.replaces else replace(finding, replaces=replaced)


def across_versions(suppressions: Iterable[Suppression]) -> bool:
    """Whether a failure found on one version may be accepted only once the others are
    walked: by a suppression of the MC104 that comparing them makes of it."""
    return any(s.code == Code.MC104 for s in suppressions)
