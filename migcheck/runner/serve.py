"""The runner's main loop: read a request, do it, answer it.

The pipes to migcheck are taken off the standard streams first: standard input becomes
/dev/null (a migration asking for input gets EOF, not migcheck's next request) and
standard output joins standard error, which migcheck captures, so that nothing the
project prints can be taken for a reply.
"""

import contextlib
import gc
import os
import socket
import sys
import threading
import time
import traceback
from typing import Any, BinaryIO, Dict, Optional, Sequence

from . import failures, heads, protocol
from .session import ProjectError, Session


def _versions() -> Dict[str, Any]:
    """What the project's Python has: migcheck says it in the report, and picks the
    project's driver from it."""
    import platform

    try:
        from importlib import metadata
    except ImportError:  # Python 3.7 and older: not supported, say so
        metadata = None  # type: ignore[assignment]

    def version(name: str) -> Optional[str]:
        if metadata is None:
            return None
        try:
            return str(metadata.version(name))
        except Exception:  # not installed
            return None

    drivers = {
        "psycopg2": version("psycopg2") or version("psycopg2-binary"),
        "psycopg": version("psycopg"),
        "asyncpg": version("asyncpg"),
        "pg8000": version("pg8000"),
    }
    return {
        "protocol": protocol.PROTOCOL,
        "executable": sys.executable,
        "python": platform.python_version(),
        "alembic": version("alembic"),
        "sqlalchemy": version("sqlalchemy") or version("SQLAlchemy"),
        "drivers": {name: found for name, found in drivers.items() if found},
    }


def _watch_parent() -> None:
    """End with migcheck, even when it is killed without a chance to end us."""
    parent = os.getppid()
    if sys.platform.startswith("linux"):
        try:
            import ctypes
            import signal

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, int(signal.SIGKILL))  # PR_SET_PDEATHSIG
        except Exception:  # no prctl: the thread below does it
            pass

    def watch() -> None:
        while True:
            time.sleep(0.5)
            if os.getppid() != parent:
                os._exit(70)

    threading.Thread(target=watch, name="migcheck-parent-watch", daemon=True).start()


class Server:
    def __init__(self, replies: BinaryIO):
        self.replies = replies
        self.session = None  # type: Optional[Session]
        self.comparison = None  # type: Any

    def send(self, message: Dict[str, Any]) -> None:
        for stream in (sys.stdout, sys.stderr):
            # A closed or replaced stream: nothing to flush.
            with contextlib.suppress(Exception):
                stream.flush()
        self.replies.write(protocol.encode(message))
        self.replies.flush()

    def handle(self, request: Dict[str, Any]) -> Dict[str, Any]:
        verb = request.get("verb")
        if verb == "history":
            from . import history

            found = history.revisions(request["project"])
            if request.get("models"):
                history.load_models(request["models"])
            found["ok"] = True
            return found
        if verb == "open":
            self.session = Session(request)
            return {"ok": True}
        session = self.session
        if session is None:
            return {"ok": False, "internal": f"{verb}: no database opened"}
        if verb == "run":

            def announce(revision: str, upgrade: bool) -> None:
                self.send({"event": "revision", "revision": revision, "upgrade": upgrade})

            with heads.known(request.get("heads")):
                return session.run(request["steps"], announce, bool(request.get("observe")))
        if verb == "rows":
            return session.rows(request["hook"], request["revision"])
        if verb == "models":
            from .models import Comparison

            comparison = self.comparison = Comparison()
            result = session.inspect(
                lambda context: comparison(context, request.get("models"), request["build"])
            )
            if not result["ok"]:
                return result
            reply = dict(comparison.reply)
            reply["ok"] = True
            return reply
        if verb == "deployed":
            from .deployed import statements

            models = request.get("models")
            if models:  # named: env.py of that release need not even import
                found = statements(None, models)
            else:
                found = {}
                result = session.inspect(lambda context: found.update(statements(context, None)))
                if not result["ok"]:
                    return result
            found["ok"] = True
            return found
        if verb == "exclusions":
            try:
                excluded = self.comparison.exclusions(
                    request["keys"], request["enums"], request["default_schema"]
                )
            except Exception as error:  # the project's hooks: anything may fail
                where = failures.location(error, session.roots, session.script.env_py_location)
                raise ProjectError(
                    f"env.py's include_object or include_name failed: {where}: "
                    f"{failures.last_line(error)}"
                ) from None
            return {"ok": True, "excluded": excluded}
        return {"ok": False, "internal": f"unknown verb {verb!r}"}


def _serve(server: Server, requests: BinaryIO) -> None:
    for line in iter(requests.readline, b""):
        try:
            reply = server.handle(protocol.decode(line))
        except ProjectError as error:
            reply = {"ok": False, "project_error": str(error)}
        except BaseException:  # a bug of the runner: migcheck shows it as one
            reply = {"ok": False, "internal": traceback.format_exc()}
        server.send(reply)


def _standard_streams() -> None:
    """Standard input from /dev/null; standard output joins standard error (captured)."""
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    os.dup2(2, 1)


def _connect(path: str) -> socket.socket:
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    connection.connect(path)
    return connection


def _run(path: str, ready: Dict[str, Any]) -> None:
    """One runner: connect to migcheck at ``path``, answer its requests until it hangs up."""
    connection = _connect(path)
    server = Server(connection.makefile("wb"))
    server.send(ready)
    _serve(server, connection.makefile("rb"))
    if server.session is not None:
        server.session.close()


def _fork(request: Dict[str, Any], ready: Dict[str, Any], control: Sequence[int]) -> int:
    """A runner forked from the zygote: a fresh process with Alembic and SQLAlchemy
    already imported, and nothing of the project's yet. Never returns in the child."""
    pid = os.fork()
    if pid:
        return pid
    status = 0
    try:
        os.setsid()  # a session of its own, as a runner started directly has
        os.environ.clear()
        os.environ.update(request["env"])
        for fd in control:
            os.close(fd)
        capture = os.open(request["capture"], os.O_WRONLY | os.O_APPEND)
        os.dup2(capture, 1)
        os.dup2(capture, 2)
        os.close(capture)
        _watch_parent()
        _run(request["socket"], ready)
    except BaseException:  # the child must never go back to the zygote's loop
        traceback.print_exc()
        status = 70
    finally:
        os._exit(status)


def _reap(pid: int) -> int:
    """The exit status of a forked runner, as subprocess reports it (-N: signal N)."""
    deadline = time.monotonic() + 10
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() > deadline:
            os.kill(pid, 9)
            _, status = os.waitpid(pid, 0)
            break
        time.sleep(0.01)
    if os.WIFSIGNALED(status):
        return -os.WTERMSIG(status)
    return os.WEXITSTATUS(status)


def _zygote(ready: Dict[str, Any]) -> None:
    """Fork a runner per request of migcheck on standard input; say how each ended."""
    control = os.fdopen(os.dup(0), "rb")
    answers = os.fdopen(os.dup(1), "wb")
    _standard_streams()
    server = Server(answers)
    server.send(ready)
    fds = (control.fileno(), answers.fileno())
    # What is imported now stays out of the collector's passes in every fork: they would
    # touch (and copy) the zygote's pages for nothing.
    if hasattr(gc, "freeze"):  # Python 3.7+
        gc.freeze()
    for line in iter(control.readline, b""):
        request = protocol.decode(line)
        if request.get("verb") == "fork":
            server.send({"ok": True, "pid": _fork(request, ready, fds)})
        elif request.get("verb") == "wait":
            server.send({"ok": True, "returncode": _reap(int(request["pid"]))})
        else:
            server.send({"ok": False, "internal": f"unknown verb {request.get('verb')!r}"})


def _preload(drivers: Dict[str, Any]) -> None:
    """What every runner imports, imported once before the forks: Alembic's runtime, the
    PostgreSQL dialects and the drivers installed (none of them is the project's code)."""
    import importlib

    modules = [
        "alembic.autogenerate",
        "alembic.config",
        "alembic.runtime.environment",
        "alembic.runtime.migration",
        "alembic.script",
        "sqlalchemy.dialects.postgresql",
    ]
    modules += [name for name in ("psycopg2", "psycopg", "asyncpg", "pg8000") if name in drivers]
    for name in modules:
        with contextlib.suppress(Exception):  # an old release without it: imported later
            importlib.import_module(name)


def main(argv: Sequence[str]) -> int:
    """``--zygote``: fork runners on request; ``--connect PATH``: be one runner."""
    _watch_parent()
    ready = _versions()
    ready["event"] = "ready"
    try:
        import alembic  # noqa: F401  # imported now: the runner starts before it is needed
        import sqlalchemy  # noqa: F401
    except ImportError as error:
        ready["missing"] = getattr(error, "name", None) or str(error)
    if argv[1:2] == ["--zygote"]:
        if ready.get("missing"):
            with os.fdopen(os.dup(1), "wb") as answers:
                answers.write(protocol.encode(ready))
            return 3
        _preload(ready["drivers"])
        _zygote(ready)
        return 0
    _standard_streams()
    _run(argv[2], ready)
    return 0
