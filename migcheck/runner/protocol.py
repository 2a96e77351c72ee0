"""The runner's protocol: one JSON object per line, requests in, replies out.

Version 1. migcheck writes requests ``{"verb": ..., ...}`` to the runner's standard
input; the runner answers each with exactly one reply ``{"ok": true, ...}`` or
``{"ok": false, ...}`` on its standard output, after any number of events
``{"event": ...}``. Before the first request it sends ``{"event": "ready", ...}`` with
what it runs on. Everything the project prints goes to the runner's standard error,
which migcheck captures and reads per request.

Verbs: ``history`` (the revision graph), ``open`` (a scratch database),
``run`` (Alembic steps in one run), ``models`` and ``exclusions`` (the models
comparison). Failures of a reply: ``error`` (a migration failed: message, sqlstate,
revision, file, line, type), ``project_error`` (the project cannot be run: one line),
``internal`` (a bug of the runner: its traceback).
"""

import json
from typing import Any, Dict

PROTOCOL = 1


def encode(message: Dict[str, Any]) -> bytes:
    return json.dumps(message, separators=(",", ":"), default=str).encode("utf-8") + b"\n"


def decode(line: bytes) -> Dict[str, Any]:
    message = json.loads(line.decode("utf-8"))
    if not isinstance(message, dict):
        raise ValueError(f"not a JSON object: {line[:200]!r}")
    return message
