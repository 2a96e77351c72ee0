"""Every folder under tests/projects is an Alembic project with the findings it must produce.

``expected.json``: ``{"findings": [{"code", "revision", "diff": [...]}], "notes": [...]}``
(``"file"`` and ``"line"``, when given, are where the finding points; a finding accepted
on purpose has ``"suppressed"``: the suppression's reason; one that made another fail
next has ``"consequences"``: ``[{"code", "message"}]``),
optionally ``"exit_code"`` (default: 1 when a finding is an error and not suppressed),
``"revisions"`` (how many were checked), ``"config"`` (Config fields, as the command line
would set them: ``{"alembic_ini": "migrations/alembic.ini"}``),
``"env"`` (environment variables) and ``"error"`` (the project cannot be checked: part of
the message of the error, which exits 2). The project's own [tool.migcheck] or
migcheck.toml applies, as on the command line. The walk runs for real on a real server;
codes, revisions and diff lines must match exactly. A history with an MC401-MC404 finding
is not walked: no server is started, and the graph's findings are the report.
"""

from __future__ import annotations

import pytest
from cases import PROJECTS, case_config

from migcheck import MigcheckError, check
from migcheck.codes import CODES
from migcheck.config import Config
from migcheck.graph import BLOCKING
from migcheck.reporters.text import diff_lines

CASES = sorted(p.name for p in PROJECTS.iterdir() if (p / "expected.json").is_file())


@pytest.mark.server
@pytest.mark.parametrize("case", CASES)
def test_project(case: str, url_config: Config, monkeypatch: pytest.MonkeyPatch) -> None:
    config, expected = case_config(PROJECTS / case, url_config, monkeypatch)
    if "error" in expected:
        with pytest.raises(MigcheckError) as raised:
            check(config)
        assert expected["error"] in str(raised.value)
        assert raised.value.exit_code == 2
        return
    report = check(config)
    found = [
        {
            "code": f.code,
            "revision": f.revision,
            "diff": list(diff_lines(f)),
            "suppressed": f.suppressed,
            "consequences": [c.code for c in f.consequences],
        }
        for f in report.findings
    ]
    wanted = [
        {
            "code": f["code"],
            "revision": f["revision"],
            "diff": f.get("diff", []),
            "suppressed": f.get("suppressed"),
            "consequences": [c["code"] for c in f.get("consequences", [])],
        }
        for f in expected["findings"]
    ]
    key = lambda f: (f["code"], f["revision"] or "")  # noqa: E731
    assert sorted(found, key=key) == sorted(wanted, key=key)
    for finding, want in zip(
        sorted(report.findings, key=lambda f: (f.code, f.revision or "")),
        sorted(expected["findings"], key=key),
        strict=True,
    ):
        if "message" in want:
            assert want["message"] in finding.message
        for then, wanted_then in zip(
            finding.consequences, want.get("consequences", []), strict=True
        ):
            assert wanted_then.get("message", "") in then.message
        # A finding about one revision names its file; MC203 and MC401 are about the whole
        # history; MC301 names the model's file (else env.py, which hands over the models).
        names_file = finding.revision is not None or finding.code == "MC301"
        assert (finding.file is not None) == names_file
        if "file" in want:
            assert (finding.file, finding.line) == (want["file"], want.get("line"))
        # The revision graph's findings (MC4xx) are read from the files, on no server.
        static = finding.code.startswith("MC4")
        assert finding.pg_version == (None if static else report.runs[0].pg_version)
    notes = [note for run in report.runs for note in run.notes]
    for note in expected.get("notes", []):
        assert any(note in n for n in notes), notes
    # Unless it says otherwise: 1 when an error counts (warnings, MC5xx, do not fail).
    fails = any(
        CODES[f["code"]].severity == "error" and not f.get("suppressed")
        for f in expected["findings"]
    )
    assert report.exit_code == expected.get("exit_code", 1 if fails else 0)
    if any(f.code in BLOCKING for f in report.findings):
        assert report.runs == ()  # no server was started
    if "revisions" in expected:
        assert [run.revisions for run in report.runs] == [expected["revisions"]]
