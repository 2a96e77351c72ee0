"""check() end to end on the demo project: ranges, revisions counted, nothing found."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from migcheck import ProjectError, check
from migcheck.config import Config
from migcheck.project import load

ROOT = Path(__file__).parent.parent


def test_demo_history_is_in_topological_order() -> None:
    project = load(Config(project_dir=ROOT))
    seen: set[str] = set()
    for revision in project.revisions:
        assert set(revision.parents) <= seen
        seen.add(revision.id)
    assert len(project.revisions) >= 10
    assert any(len(r.parents) == 2 for r in project.revisions), "the demo has a merge"
    assert project.heads() == [project.revisions[-1].id]


@pytest.mark.server
def test_demo_range_walks_only_the_range(url_config: Config) -> None:
    project = load(Config(project_dir=ROOT))
    merge = next(r for r in project.revisions if len(r.parents) == 2)
    config = replace(
        url_config, project_dir=ROOT, from_revision=merge.parents[0][:6], to_revision=merge.id
    )
    report = check(config)
    assert report.findings == ()
    # from one branch tip to the merge: that tip, the merge, and whatever else is
    # not an ancestor of the tip but is an ancestor of the merge (the other branch).
    expected = project.ancestors(merge.id) - project.ancestors(merge.parents[0])
    assert report.runs[0].revisions == len(expected | {merge.id}) == 3
    assert report.runs[0].notes == (
        "models not compared: 2 revision(s) of the history not applied (failed, or "
        "outside --from/--to)",
    )


def test_unknown_range_revision_is_a_project_error() -> None:
    with pytest.raises(ProjectError, match="--from: no revision 'zzzz'"):
        check(Config(project_dir=ROOT, from_revision="zzzz"))
