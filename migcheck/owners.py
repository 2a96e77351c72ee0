"""Who started a server, a folder or a scratch database: the migcheck process of a host,
written where a later run can read it, so that what killed runs left behind is found and
removed, and what live runs (or other machines) own is never touched."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import time
from collections.abc import Mapping
from contextlib import suppress
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


def ended(pid: int) -> bool:
    """Whether no process of this host has ``pid``, or only one that ended and waits for
    its parent to reap it (an orphan whose new parent never does)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    fields = _stat(pid)
    return bool(fields) and fields[0] == "Z"


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
        if ended(self.pid):
            return True
        return bool(self.started) and _started(self.pid) != self.started


MARKER = "migcheck-owner"
# A folder is made, then marked at once: one without a marker, empty and untouched for
# this long, was made by a run killed in between (or emptied by a removal cut short).
UNMARKED_GRACE = 60.0


def mark(folder: Path) -> None:
    """Write this process's identity into a folder it made."""
    (folder / MARKER).write_text(Owner.me().text() + "\n", encoding="utf-8")


def of_folder(folder: Path) -> Owner | None:
    try:
        return Owner.parse((folder / MARKER).read_text(encoding="utf-8").strip())
    except OSError:
        return None


def remove(folder: Path) -> bool:
    """Remove a folder whose marker says whose it is; whether this call removed it.

    It is renamed first (a name the sweeps still match), so that of several runs
    sweeping at once one removes it while the others leave it alone; its marker goes
    last, so that a removal cut short (a kill, a process still writing into it) leaves
    a folder a later run still knows the owner of.
    """
    claimed = folder.with_name(f"{folder.name}.{os.getpid()}.removing")
    try:
        folder.rename(claimed)
    except OSError:
        return False  # gone, or another run's sweep has it
    marker = claimed / MARKER
    try:
        entries = [entry for entry in claimed.iterdir() if entry.name != MARKER]
    except OSError:
        return False
    for entry in entries:
        with suppress(OSError):
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink()
    try:
        text = marker.read_text(encoding="utf-8")
    except OSError:
        text = None
    try:
        marker.unlink(missing_ok=True)
        claimed.rmdir()
    except OSError:
        # Something was written into it meanwhile: the marker goes back.
        if text is not None:
            with suppress(OSError):
                marker.write_text(text, encoding="utf-8")
        return False
    return True


def unmarked_and_abandoned(folder: Path) -> bool:
    """Whether ``folder`` is empty, has no marker and was left so long ago that no live
    run is about to mark it."""
    try:
        return not any(folder.iterdir()) and time.time() - folder.stat().st_mtime > UNMARKED_GRACE
    except OSError:
        return False


def _signal(pid: int, signum: int) -> None:
    """Signal a process, with its whole group when it leads one."""
    with suppress(ProcessLookupError, PermissionError):
        if os.getpgid(pid) == pid:
            os.killpg(pid, signum)
        else:
            os.kill(pid, signum)


def stop_working_in(folder: Path, signals: Mapping[str, int], *, timeout: float = 10) -> None:
    """Stop what a killed run left working in ``folder``: the processes of the programs
    ``signals`` names whose command line names the folder, each sent its signal, then
    SIGKILL if still there after ``timeout`` seconds. Nothing else that names it (a
    shell's ``tail`` of a log) is touched."""
    found = {}
    with suppress(OSError):
        for entry in Path("/proc").iterdir():
            with suppress(OSError, ValueError):
                name = entry.joinpath("comm").read_text().strip()
                arguments = entry.joinpath("cmdline").read_bytes().split(b"\0")
                if name in signals and any(
                    a == bytes(folder) or a.startswith(bytes(folder) + b"/") for a in arguments
                ):
                    found[int(entry.name)] = signals[name]
    for pid, signum in found.items():
        _signal(pid, signum)
    deadline = time.monotonic() + timeout
    while not all(ended(pid) for pid in found):
        if time.monotonic() > deadline:
            for pid in found:
                _signal(pid, signal.SIGKILL)
            return
        time.sleep(0.05)
