"""Who started a server, a folder or a scratch database: the migcheck process of a host,
written where a later run can read it, so that what killed runs left behind is found and
removed, and what live runs (or other machines) own is never touched."""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from pathlib import Path

PREFIX = "migcheck owner"


def _stat(pid: int) -> list[str]:
    """The fields of /proc/<pid>/stat after the command name (which may hold spaces and
    parentheses): state first; [] where there is no such file."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return []


def _started(pid: int) -> str:
    """When a process started, as a token that tells a reused pid apart ('' if unknown)."""
    fields = _stat(pid)
    return fields[19] if len(fields) > 19 else ""


@dataclass(frozen=True, slots=True)
class Owner:
    host: str
    pid: int
    started: str

    @classmethod
    def me(cls) -> Owner:
        return cls(socket.gethostname(), os.getpid(), _started(os.getpid()))

    def text(self) -> str:
        return f"{PREFIX} host={self.host} pid={self.pid} started={self.started}"

    @classmethod
    def parse(cls, text: str | None) -> Owner | None:
        if not text or not text.startswith(PREFIX):
            return None
        fields = dict(part.split("=", 1) for part in text[len(PREFIX) :].split() if "=" in part)
        try:
            return cls(fields["host"], int(fields["pid"]), fields.get("started", ""))
        except (KeyError, ValueError):
            return None

    def gone(self) -> bool:
        """Whether the owner surely ended: a process of this host that no longer runs
        (or whose pid another process took). Another host's things are never gone."""
        if self.host != socket.gethostname():
            return False
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            return False
        fields = _stat(self.pid)
        if fields and fields[0] == "Z":  # ended, not yet reaped by its parent
            return True
        return bool(self.started) and _started(self.pid) != self.started


MARKER = "migcheck-owner"


def mark(folder: Path) -> None:
    """Write this process's identity into a folder it made."""
    (folder / MARKER).write_text(Owner.me().text() + "\n", encoding="utf-8")


def of_folder(folder: Path) -> Owner | None:
    try:
        return Owner.parse((folder / MARKER).read_text(encoding="utf-8").strip())
    except OSError:
        return None
