"""A fixture of tests/projects as a check sees it: its expected.json, its environment set,
and the Config its ``config`` entries make on the test server."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from migcheck import settings
from migcheck.config import Config

PROJECTS = Path(__file__).parent / "projects"


def case_config(
    folder: Path, server: Config, monkeypatch: pytest.MonkeyPatch, **fields: Any
) -> tuple[Config, dict[str, Any]]:
    """(the Config, expected.json) of the fixture in ``folder`` (one of PROJECTS, or a
    copy); ``fields`` over its own entries."""
    expected: dict[str, Any] = json.loads((folder / "expected.json").read_text())
    for name, value in expected.get("env", {}).items():
        monkeypatch.setenv(name, value)
    entries = {
        k: tuple(v) if isinstance(v, list) else v for k, v in expected.get("config", {}).items()
    }
    entries.update(fields)
    config = settings.apply(replace(server, project_dir=folder, **entries), keep=entries)
    return config, expected
