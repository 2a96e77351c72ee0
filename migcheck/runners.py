"""A runner process seen from migcheck: driven over a socket, watched for time, killed
when it outlives its use (how runners are started: migcheck.runner_pool).

A runner that exits in the middle of a request (os._exit, a signal, a crash) or that
runs past its deadline raises ``RunnerDied`` / ``RunnerLate``: the caller turns it into
a finding of the step that was running. Everything the project printed is captured in
a file of migcheck's and read per request, also after a crash.
"""

from __future__ import annotations

import os
import select
import signal
import socket
import time
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from migcheck.errors import ProjectError
from migcheck.runner import protocol

RUNNER_MAIN = Path(__file__).resolve().parent / "runner" / "__main__.py"
# How often a long request reports that it is still waiting.
_TICK = 1.0
# Captured output kept per request: a migration printing without end must not fill memory.
_OUTPUT_LIMIT = 1 << 20


@dataclass(frozen=True, slots=True)
class Interpreter:
    """The project's Python, as its runner described it."""

    executable: str
    python: str
    alembic: str | None = None
    sqlalchemy: str | None = None
    drivers: tuple[tuple[str, str], ...] = ()

    @classmethod
    def from_ready(cls, ready: dict[str, Any]) -> Interpreter:
        return cls(
            executable=str(ready.get("executable") or ""),
            python=str(ready.get("python") or "?"),
            alembic=ready.get("alembic"),
            sqlalchemy=ready.get("sqlalchemy"),
            drivers=tuple(sorted((ready.get("drivers") or {}).items())),
        )

    def has(self, driver: str) -> bool:
        return any(name == driver for name, _ in self.drivers)

    def describe(self, driver: str | None = None) -> str:
        """``/p/.venv/bin/python (Python 3.8.18, Alembic 1.7.7, SQLAlchemy 1.4.54,
        psycopg2 2.9.9)``."""
        parts = [
            f"Python {self.python}",
            f"Alembic {self.alembic}",
            f"SQLAlchemy {self.sqlalchemy}",
        ]
        versions = dict(self.drivers)
        if driver is not None and driver in versions:
            parts.append(f"{driver} {versions[driver]}")
        return f"{self.executable} ({', '.join(parts)})"


class RunnerDied(Exception):
    """The runner process ended in the middle of a request."""

    def __init__(self, returncode: int, revision: str | None, upgrade: bool | None):
        super().__init__(returncode)
        self.returncode, self.revision, self.upgrade = returncode, revision, upgrade

    def describe(self) -> str:
        if self.returncode < 0:
            try:
                name = signal.Signals(-self.returncode).name
            except ValueError:
                name = f"signal {-self.returncode}"
            return f"the migration ended the process: killed by {name}"
        return f"the migration ended the process with exit code {self.returncode}"


class RunnerLate(Exception):
    """The request ran past its deadline; the runner is still in it."""

    def __init__(self, seconds: float, revision: str | None, upgrade: bool | None):
        super().__init__(seconds)
        self.seconds, self.revision, self.upgrade = seconds, revision, upgrade


OnWait = Callable[[float, str | None], None]


class Channel:
    """JSON lines over a file descriptor (a pipe or a socket), read with a deadline."""

    def __init__(self, fd: int, write: Callable[[bytes], object], capture: IO[bytes]):
        self.fd, self._write, self.capture = fd, write, capture
        self._buffer = b""

    def send(self, message: dict[str, Any]) -> None:
        self._write(protocol.encode(message))

    def receive(
        self, deadline: float | None = None, tick: Callable[[float], None] | None = None
    ) -> dict[str, Any] | None:
        """The next message; None at the end of the stream. ``tick(now)`` is called about
        once a second while waiting; past ``deadline``, TimeoutError."""
        while b"\n" not in self._buffer:
            wait = _TICK if deadline is None else max(0.0, min(_TICK, deadline - time.monotonic()))
            readable, _, _ = select.select([self.fd], [], [], wait)
            if not readable:
                now = time.monotonic()
                if deadline is not None and now >= deadline:
                    raise TimeoutError
                if tick is not None:
                    tick(now)
                continue
            try:
                chunk = os.read(self.fd, 1 << 16)
            except ConnectionResetError:
                chunk = b""
            if not chunk:
                return None
            self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        try:
            return protocol.decode(line)
        except ValueError:
            # Written to standard output before the runner took it over (a .pth file,
            # sitecustomize): the project's output, not a reply.
            self.capture.write(line + b"\n")
            return self.receive(deadline, tick)


class Runner:
    """One runner process, connected to migcheck by a socket; what it prints goes to a
    file of migcheck's."""

    def __init__(
        self,
        executable: str,
        connection: socket.socket,
        capture: IO[bytes],
        *,
        reap: Callable[[], int],
        kill: Callable[[], None],
    ):
        self.executable = executable
        self.connection, self.capture = connection, capture
        self.channel = Channel(connection.fileno(), connection.sendall, capture)
        self._reap, self._kill = reap, kill
        self._read = 0
        self._returncode: int | None = None
        self.revision: str | None = None  # the last revision the runner said it started
        self.upgrade: bool | None = None
        self._ready: dict[str, Any] | None = None

    def ready(self) -> dict[str, Any]:
        """What the runner runs on (waits for it to start)."""
        if self._ready is None:
            message = self.channel.receive()
            if message is None:
                output = self.output().strip().splitlines()
                last = output[-1] if output else f"exit code {self.returncode()}"
                raise ProjectError(
                    f"the project's Python {self.executable} cannot run migcheck's runner: "
                    f"{last} (it needs Python 3.8+; name another with --python)"
                )
            self._ready = checked(message, self.executable)
        return self._ready

    def request(
        self,
        message: dict[str, Any],
        *,
        timeout: float | None = None,
        on_wait: OnWait | None = None,
    ) -> dict[str, Any]:
        """Send one request and return its reply (events on the way are noted)."""
        self.ready()
        self.revision = self.upgrade = None
        try:
            self.channel.send(message)
        except OSError:
            raise RunnerDied(self.returncode(), None, None) from None
        started = time.monotonic()
        deadline = started + timeout if timeout else None

        def tick(now: float) -> None:
            if on_wait is not None:
                on_wait(now - started, self.revision)

        while True:
            try:
                found = self.channel.receive(deadline, tick)
            except TimeoutError:
                raise RunnerLate(time.monotonic() - started, self.revision, self.upgrade) from None
            if found is None:
                raise RunnerDied(self.returncode(), self.revision, self.upgrade)
            if found.get("event") == "revision":
                self.revision, self.upgrade = found.get("revision"), found.get("upgrade")
            elif "event" not in found:
                return found

    def returncode(self) -> int:
        """How the process ended (waits for it to end)."""
        if self._returncode is None:
            self._returncode = self._reap()
        return self._returncode

    def output(self) -> str:
        """What the project printed since the last call."""
        self.capture.seek(0, os.SEEK_END)
        end = self.capture.tell()
        start = max(self._read, end - _OUTPUT_LIMIT)
        self.capture.seek(start)
        data = self.capture.read(end - start)
        self._read = end
        return data.decode("utf-8", errors="replace")

    def kill(self) -> None:
        if self._returncode is None:
            self._kill()

    def close(self) -> None:
        """End the runner and whatever it started in its session (a subprocess of a
        migration). Killed, not asked: nothing of it needs to be saved (its database is
        dropped next), and a Python with SQLAlchemy loaded takes a while to exit."""
        self.kill()
        self.returncode()
        with suppress(OSError):
            self.connection.close()
        self.capture.close()


def checked(message: dict[str, Any], executable: str) -> dict[str, Any]:
    if message.get("protocol") != protocol.PROTOCOL:
        raise ProjectError(
            f"the runner started with {executable} speaks protocol "
            f"{message.get('protocol')!r}, migcheck {protocol.PROTOCOL}: a runner of "
            "another migcheck release was found first on that Python's path"
        )
    if message.get("missing"):
        raise ProjectError(
            f"the project's Python {executable} has no {message['missing']} "
            "installed: run migcheck with the Python that has the project's "
            "dependencies (--python PATH, or activate its virtualenv)"
        )
    return message
