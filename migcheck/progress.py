"""Progress of each version's walk: the record ``check`` hands its callback, and its
display on standard error, for the CLI.

On a terminal: one line per version, redrawn in place. Elsewhere (CI logs, files):
plain log lines, a few per version.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, TextIO

# Log lines while walking: at most one per version every this many seconds.
LOG_EVERY = 10.0
_REDRAW_EVERY = 0.1
_BAR = 20


@dataclass(frozen=True, slots=True)
class Progress:
    """How far one version's walk is, for ``check(config, progress=...)``.

    ``pg_version`` is None while the server of the default version starts (its version
    is known once it answers). ``stage``: "starting" the server, "walking" (``done`` of
    ``total`` revisions), "done" (the server is gone; ``seconds`` and ``findings`` final).
    """

    pg_version: int | None
    stage: Literal["starting", "walking", "done"]
    done: int = 0
    total: int = 0
    seconds: float = 0.0
    findings: int = 0


ProgressCallback = Callable[[Progress], None]


def _name(progress: Progress) -> str:
    return f"PostgreSQL {progress.pg_version}" if progress.pg_version else "PostgreSQL"


def _findings(count: int) -> str:
    return f"{count} finding{'s' if count != 1 else ''}"


def describe(progress: Progress) -> str:
    """What a version's walk is doing, in a few words."""
    if progress.stage == "starting":
        return "starting the server"
    if progress.stage == "done":
        return (
            f"done in {progress.seconds:.1f} s: {progress.done} revisions, "
            f"{_findings(progress.findings)}"
        )
    text = f"{progress.done}/{progress.total} revisions"
    if progress.findings:
        text += f", {_findings(progress.findings)}"
    return text


class Lines:
    """One line per version, redrawn in place (a terminal that understands ANSI codes)."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.rows: dict[int | None, Progress] = {}
        self.drawn = 0
        self.last = 0.0

    def __call__(self, progress: Progress) -> None:
        if progress.pg_version is not None and None in self.rows:
            del self.rows[None]  # the default version, now that its server answered
        changed = self.rows.get(progress.pg_version)
        self.rows[progress.pg_version] = progress
        now = time.monotonic()
        if changed is None or changed.stage != progress.stage or now - self.last > _REDRAW_EVERY:
            self.draw()
            self.last = now

    def _line(self, progress: Progress) -> str:
        line = f"{_name(progress):<14} "
        if progress.stage == "walking" and progress.total:
            filled = _BAR * progress.done // progress.total
            line += f"[{'#' * filled}{'.' * (_BAR - filled)}] "
        return line + describe(progress)

    def draw(self) -> None:
        up = f"\x1b[{self.drawn}F" if self.drawn else ""
        lines = "".join(f"\x1b[2K{self._line(p)}\n" for p in self.rows.values())
        self.stream.write(up + lines)
        self.stream.flush()
        self.drawn = len(self.rows)

    def close(self) -> None:
        if self.rows:
            self.draw()


class Log:
    """Plain lines: when a server starts, now and then while walking, when a walk is done."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.logged: dict[int | None, float] = {}

    def __call__(self, progress: Progress) -> None:
        now = time.monotonic()
        if progress.stage == "walking":
            last = self.logged.get(progress.pg_version)
            if last is not None and now - last < LOG_EVERY:
                return
        self.logged[progress.pg_version] = now
        self.stream.write(f"migcheck: {_name(progress)}: {describe(progress)}\n")
        self.stream.flush()

    def close(self) -> None:
        pass


class Quiet:
    """No progress: one version off a terminal, whose report says the same at the end."""

    def __call__(self, progress: Progress) -> None:
        pass

    def close(self) -> None:
        pass


def for_stream(stream: TextIO | None = None, *, versions: int = 1) -> Lines | Log | Quiet:
    """Lines redrawn in place on a terminal; log lines elsewhere when several versions
    run at once (a single version's log would only repeat the report's last lines, and
    keep error messages from being the one line on standard error)."""
    stream = stream if stream is not None else sys.stderr
    if stream.isatty() and os.environ.get("TERM") != "dumb":
        return Lines(stream)
    return Log(stream) if versions > 1 else Quiet()
