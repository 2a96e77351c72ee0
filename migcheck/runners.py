"""Runner processes seen from migcheck: started with the project's Python, driven over a
pipe, watched for time, killed when they outlive their use.

A runner that exits in the middle of a request (os._exit, a signal, a crash) or that
runs past its deadline raises ``RunnerDied`` / ``RunnerLate``: the caller turns it into
a finding of the step that was running. Everything the project printed is captured in
a file of migcheck's and read per request, also after a crash.
"""

from __future__ import annotations

import atexit
import os
import secrets
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
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
# Runners are forked from a zygote where the platform forks (not Windows).
_FORKS = hasattr(os, "fork") and hasattr(socket, "AF_UNIX")


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
            self._ready = _checked(message, self.executable)
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


def _checked(message: dict[str, Any], executable: str) -> dict[str, Any]:
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


def _start(
    executable: str, arguments: list[str], env: dict[str, str], **kwargs: Any
) -> subprocess.Popen[bytes]:
    try:
        return subprocess.Popen(
            [executable, str(RUNNER_MAIN), *arguments],
            env=env,
            # Its own session: a Ctrl-C meant for migcheck does not reach the project's
            # code (migcheck ends the runner itself); a KeyboardInterrupt there is the
            # migration's own.
            start_new_session=True,
            **kwargs,
        )
    except OSError as error:
        raise ProjectError(
            f"--python {executable}: cannot start it: {error.strerror or error}"
        ) from None


def _kill_group(pid: int) -> None:
    with suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)


class _Listener:
    """A socket a runner connects to, in a folder of migcheck's."""

    def __init__(self, folder: Path, name: str):
        self.path = folder / name
        self.socket = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.socket.bind(str(self.path))
        self.socket.listen(1)

    def accept(self, alive: Callable[[], bool]) -> socket.socket | None:
        """The runner's connection; None if it ended before connecting."""
        try:
            while True:
                readable, _, _ = select.select([self.socket], [], [], 0.2)
                if readable:
                    connection, _ = self.socket.accept()
                    return connection
                if not alive():
                    return None
        finally:
            self.socket.close()
            with suppress(OSError):
                self.path.unlink()


def spawn(executable: str, env: dict[str, str], folder: Path) -> Runner:
    """A runner started directly with ``executable`` (a process of its own)."""
    capture: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115  # the runner closes it
    listener = _Listener(folder, f"runner-{secrets.token_hex(4)}.sock")
    try:
        process = _start(
            executable,
            ["--connect", str(listener.path)],
            env,
            stdin=subprocess.DEVNULL,
            stdout=capture,
            stderr=capture,
        )
    except BaseException:
        capture.close()
        listener.socket.close()
        raise
    connection = listener.accept(lambda: process.poll() is None)

    def kill() -> None:
        _kill_group(process.pid)
        process.kill()

    if connection is None:
        connection = socket.socket(socket.AF_UNIX)  # a closed end: ready() explains
        connection.close()
    return Runner(executable, connection, capture, reap=process.wait, kill=kill)


class Zygote:
    """A process of the project's Python that has imported Alembic and SQLAlchemy, and
    forks a fresh runner for each scratch database: a new process each time, as the
    project expects (nothing of the previous database's imported), in milliseconds."""

    def __init__(self, executable: str, env: dict[str, str]):
        self.executable = executable
        self.capture: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115  # closed in close()
        self.process = _start(
            executable,
            ["--zygote"],
            env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.capture,
        )
        assert self.process.stdin is not None
        assert self.process.stdout is not None
        stdin = self.process.stdin

        def write(data: bytes) -> None:
            stdin.write(data)
            stdin.flush()

        self.channel = Channel(self.process.stdout.fileno(), write, self.capture)
        self._ready: dict[str, Any] | None = None

    def ready(self) -> dict[str, Any]:
        if self._ready is None:
            message = self.channel.receive()
            if message is None:
                raise ProjectError(
                    f"the project's Python {self.executable} cannot run migcheck's runner "
                    f"(exit code {self.process.wait()}; it needs Python 3.8+; name another "
                    "with --python)"
                )
            self._ready = _checked(message, self.executable)
        return self._ready

    def _ask(self, message: dict[str, Any]) -> dict[str, Any]:
        self.ready()
        self.channel.send(message)
        reply = self.channel.receive()
        if reply is None or not reply.get("ok"):
            raise RuntimeError(f"migcheck's runner of {self.executable} failed: {reply}")
        return reply

    def fork(self, folder: Path) -> Runner:
        """A new runner, forked from this process, with migcheck's environment of now;
        its socket and output file in ``folder``."""
        token = secrets.token_hex(4)
        path = folder / f"output-{token}"
        capture: IO[bytes] = path.open("w+b")  # closed by the runner
        listener = _Listener(folder, f"runner-{token}.sock")
        try:
            request = {
                "verb": "fork",
                "socket": str(listener.path),
                "capture": str(path),
                "env": runner_environment(),
            }
            reply = self._ask(request)
            pid = int(reply["pid"])
            connection = listener.accept(lambda: _alive(pid))
        except BaseException:
            capture.close()
            raise
        finally:
            with suppress(OSError):
                path.unlink()  # the child opened it before it connected
        if connection is None:
            connection = socket.socket(socket.AF_UNIX)  # a closed end: ready() explains
            connection.close()

        def reap() -> int:
            return int(self._ask({"verb": "wait", "pid": pid})["returncode"])

        def kill() -> None:
            _kill_group(pid)
            with suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)

        return Runner(self.executable, connection, capture, reap=reap, kill=kill)

    def alive(self) -> bool:
        return self.process.poll() is None

    def close(self) -> None:
        _kill_group(self.process.pid)
        self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            with suppress(OSError):
                if stream is not None:
                    stream.close()
        self.capture.close()


def _alive(pid: int) -> bool:
    """Whether a process (not migcheck's child) still runs: a zombie does not."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with suppress(OSError):
        return ") Z " not in Path(f"/proc/{pid}/stat").read_text()
    return True


def runner_environment() -> dict[str, str]:
    env = dict(os.environ)
    # Output reaches the capture file as it is written: what a process printed just
    # before it died is shown with its finding.
    env["PYTHONUNBUFFERED"] = "1"
    return env


class Runners:
    """Runner processes for one walk, one per scratch database: forked from a zygote
    started ahead (it imports Alembic and SQLAlchemy while the server starts), or
    started directly where there is no fork."""

    def __init__(self, executable: str):
        self.executable = executable
        self.folder = Path(tempfile.mkdtemp(prefix="migcheck-run-"))
        self._zygote = _zygote(executable) if _FORKS else None
        self._runners: list[Runner] = []

    def take(self) -> Runner:
        if self._zygote is not None:
            runner = self._zygote.fork(self.folder)
        else:
            runner = spawn(self.executable, runner_environment(), self.folder)
        self._runners.append(runner)
        try:
            runner.ready()
        except BaseException:
            runner.close()
            raise
        return runner

    def release(self, runner: Runner) -> None:
        """End a runner before the walk does."""
        runner.close()
        self._runners.remove(runner)

    def close(self) -> None:
        # A forked runner is reaped by its zygote: runners first.
        for runner in self._runners:
            with suppress(OSError, ValueError):
                runner.close()
        shutil.rmtree(self.folder, ignore_errors=True)


# One zygote per Python, for every check of this process: it holds nothing of any
# project (each runner is a fork, given the environment of its moment), and starting
# the project's Python with Alembic and SQLAlchemy costs most of a second each time.
_ZYGOTES: dict[str, Zygote] = {}


def _zygote(executable: str) -> Zygote:
    found = _ZYGOTES.get(executable)
    if found is None or not found.alive():
        found = _ZYGOTES[executable] = Zygote(executable, runner_environment())
        atexit.register(found.close)
    return found


@contextmanager
def runners(executable: str) -> Iterator[Runners]:
    pool = Runners(executable)
    try:
        yield pool
    finally:
        pool.close()


def own_python() -> str:
    return sys.executable
