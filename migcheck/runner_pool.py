"""How runner processes start: forked from a zygote of the project's Python (Alembic and
SQLAlchemy imported once), or started directly where the platform does not fork; each
connects to a socket of migcheck's in a folder of the pool's."""

from __future__ import annotations

import atexit
import os
import secrets
import select
import signal
import socket
import subprocess
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO, Any

from migcheck import owners
from migcheck.errors import ProjectError
from migcheck.runners import RUNNER_MAIN, Channel, Runner, checked

# Runners are forked from a zygote where the platform forks (not Windows).
_FORKS = hasattr(os, "fork") and hasattr(socket, "AF_UNIX")


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
        self._asking = threading.Lock()

    def ready(self) -> dict[str, Any]:
        if self._ready is None:
            message = self.channel.receive()
            if message is None:
                raise ProjectError(
                    f"the project's Python {self.executable} cannot run migcheck's runner "
                    f"(exit code {self.process.wait()}; it needs Python 3.8+; name another "
                    "with --python)"
                )
            self._ready = checked(message, self.executable)
        return self._ready

    def _ask(self, message: dict[str, Any]) -> dict[str, Any]:
        # One question at a time: a walk's two threads (migcheck.ahead) share the zygote.
        with self._asking:
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


def leftovers() -> list[str]:
    """Remove the runner folders of migcheck runs of this machine that were killed (their
    runners ended with them); say what went."""
    removed = []
    for folder in sorted(Path(tempfile.gettempdir()).glob("migcheck-run-*")):
        owner = owners.of_folder(folder)
        if owner is None:
            if owners.unmarked_and_abandoned(folder):
                with suppress(OSError):
                    folder.rmdir()
                    removed.append(f"empty folder {folder} (no owner)")
        elif owner.gone() and owners.remove(folder):
            removed.append(f"runner folder {folder} (pid {owner.pid}, ended)")
    return removed


class Runners:
    """Runner processes for one walk, one per scratch database: forked from a zygote
    started ahead (it imports Alembic and SQLAlchemy while the server starts), or
    started directly where there is no fork."""

    def __init__(self, executable: str):
        self.executable = executable
        leftovers()
        self.folder = Path(tempfile.mkdtemp(prefix="migcheck-run-"))
        owners.mark(self.folder)
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
        owners.remove(self.folder)


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
