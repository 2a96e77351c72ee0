"""A fresh cluster's data folder, copied from the one initdb made for the installation.

initdb takes most of a local server's start (0.9 s of 1.2 s here); a copy of the folder
it made takes a fifth of that, and a pre-commit hook starts a server on every commit.
Every local server runs initdb with the same arguments; what else initdb writes from its
run (the TZ as the cluster's timezone, the system identifier) is in the key or read by
nothing migcheck does.

The copies live in ``$MIGCHECK_CACHE_DIR/clusters`` (default: the user's cache folder,
``~/.cache/migcheck``), one per installation of the server binaries (their path, size
and time: an upgraded installation gets a new one, and the old one goes). An empty
``MIGCHECK_CACHE_DIR`` turns the cache off. Nothing here may fail a run: a cache that
cannot be read or written is an initdb more.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from contextlib import suppress
from pathlib import Path

from migcheck import owners

# The initdb arguments of every local server (the key of the cached folder names them).
INITDB_ARGUMENTS = ("-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync")
_INSTALLATION = "installation"  # the postgres binary a cached folder was made by


def folder() -> Path | None:
    """Where the cached data folders are, or None when caching is off."""
    configured = os.environ.get("MIGCHECK_CACHE_DIR")
    if configured is not None:
        return Path(configured) / "clusters" if configured else None
    try:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    except RuntimeError:  # no home folder (a user with no passwd entry, no HOME)
        return None
    if os.name == "posix" and os.geteuid() == 0:
        # root with another user's HOME (sudo -E): folders of root's in their home
        # would cost them their own cache.
        home = base if base.exists() else base.parent
        with suppress(OSError):
            if home.stat().st_uid != 0:
                return None
    return base / "migcheck" / "clusters"


def _key(bindir: Path, major: int) -> tuple[str, str]:
    """(the cache entry's name, the installation it stands for)."""
    postgres = (bindir / "postgres").resolve()
    stat = postgres.stat()
    # initdb records the TZ of its run as the cluster's timezone.
    zone = os.environ.get("TZ", "")
    identity = (
        f"{postgres}\0{stat.st_size}\0{stat.st_mtime_ns}\0{' '.join(INITDB_ARGUMENTS)}\0{zone}"
    )
    return f"pg{major}-{hashlib.sha256(identity.encode()).hexdigest()[:16]}", str(postgres)


def forget(bindir: Path, major: int) -> None:
    """Remove this installation's cached folder (a server did not start from a copy)."""
    root = folder()
    if root is not None:
        with suppress(OSError):
            shutil.rmtree(root / _key(bindir, major)[0])


def cached(bindir: Path, major: int) -> Path | None:
    """The cached data folder for this installation, if there is one."""
    root = folder()
    if root is None:
        return None
    with suppress(OSError):
        data = root / _key(bindir, major)[0] / "data"
        if (data / "PG_VERSION").is_file():
            return data
    return None


def copy(source: Path, data: Path, user: dict[str, int]) -> bool:
    """Make ``data`` a copy of a cached folder, owned by the server's ``user``; whether
    it could (on False, ``data`` does not exist and initdb makes it)."""
    try:
        shutil.copytree(source, data, symlinks=True)
        data.chmod(0o700)  # the server refuses a data folder others can read
        if user:
            for path in [data, *data.rglob("*")]:
                os.lchown(path, user["user"], user["group"])
    except OSError:
        shutil.rmtree(data, ignore_errors=True)
        return False
    return True


def keep(bindir: Path, major: int, data: Path) -> None:
    """Keep a copy of ``data``, the folder initdb just made, for the next server of this
    installation. It is filled under a marked name and renamed when whole: a run killed
    meanwhile leaves a folder the next one removes, never half a cluster."""
    root = folder()
    if root is None:
        return
    with suppress(OSError):
        name, installation = _key(bindir, major)
        root.mkdir(parents=True, exist_ok=True)
        _sweep(root, name, installation)
        filling = root / f"{name}.{os.getpid()}.filling"
        filling.mkdir()
        owners.mark(filling)
        try:
            shutil.copytree(data, filling / "data", symlinks=True)
            (filling / _INSTALLATION).write_text(installation + "\n", encoding="utf-8")
            filling.rename(root / name)
            (root / name / owners.MARKER).unlink()
        except OSError:
            owners.remove(filling)  # another run kept it first, or the disk is full


def _sweep(root: Path, name: str, installation: str) -> None:
    """Remove what killed runs left half-filled, and the folders of this installation's
    earlier builds (another size or time of the same binary), and those of installations
    removed since."""
    for entry in root.iterdir():
        if entry.name.endswith(".filling"):
            owner = owners.of_folder(entry)
            if owner is not None and owner.gone():
                owners.remove(entry)
            elif owner is None and owners.unmarked_and_abandoned(entry):
                with suppress(OSError):
                    entry.rmdir()
            continue
        if entry.name == name:
            continue
        with suppress(OSError):
            made_by = (entry / _INSTALLATION).read_text(encoding="utf-8").strip()
            # An earlier build of this installation, or an installation removed since.
            if made_by == installation or not Path(made_by).exists():
                shutil.rmtree(entry)
