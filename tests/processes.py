"""What the fault-injection tests need to know about processes: the tree a run started,
which of them still live, and a run killed the ways a user or a CI runner kills one."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from migcheck import owners

Identity = tuple[int, str]  # pid, start time: a reused pid is another process


def poll(condition: Callable[[], bool], seconds: float = 90, every: float = 0.05) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(every)
    return condition()


def table() -> dict[int, tuple[int, str, str]]:
    """Every process: pid -> (parent pid, start time, name)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError):
                name, rest = (entry / "stat").read_text().rsplit(")", 1)
                fields = rest.split()
                found[int(entry.name)] = (int(fields[1]), fields[19], name.split("(", 1)[1])
    return found


def tree(pid: int) -> set[Identity]:
    """``pid`` and every process it started, and they started, and so on."""
    processes = table()
    children: dict[int, list[int]] = {}
    for child, (parent, _, _) in processes.items():
        children.setdefault(parent, []).append(child)
    found, todo = set(), [pid]
    while todo:
        current = todo.pop()
        if current in processes:
            found.add((current, processes[current][1]))
            todo += children.get(current, [])
    return found


def alive(processes: set[Identity]) -> list[Identity]:
    host = owners.Owner.me().host
    return [p for p in processes if not owners.Owner(host, p[0], p[1]).gone()]


def kill(process: subprocess.Popen[Any], how: str) -> None:
    """SIGKILL of the run's whole process group ("group") or of its main pid ("main")."""
    if how == "group":
        os.killpg(process.pid, signal.SIGKILL)
    else:
        process.send_signal(signal.SIGKILL)
    process.wait()


@contextlib.contextmanager
def killed_at_the_end(process: subprocess.Popen[Any]) -> Iterator[None]:
    """Whatever happens in the block, nothing of the run outlives the test."""
    try:
        yield
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
