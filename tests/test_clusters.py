"""The local backend's cache of initdb's work: real servers started from it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from migcheck import owners
from migcheck.config import Config
from migcheck.provision import clusters, local

VERSION = 16  # any installed version does: the lowest one the suite's servers also use


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty cache folder of this test's own."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("MIGCHECK_CACHE_DIR", str(folder))
    return folder / "clusters"


def _identifier_and_owner() -> tuple[int, str]:
    """(the system identifier initdb gave the cluster, who owns its data folder), of a
    server started now."""
    with local.start(Config(), VERSION) as server, psycopg.connect(server.url) as connection:
        row = connection.execute("SELECT system_identifier FROM pg_control_system()").fetchone()
        data = connection.execute("SHOW data_directory").fetchone()
        assert row is not None
        assert data is not None
        return int(row[0]), Path(str(data[0])).owner()


def test_the_cache_is_off_when_its_folder_is_empty(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MIGCHECK_CACHE_DIR", "")
    assert clusters.folder() is None
    monkeypatch.setenv("MIGCHECK_CACHE_DIR", "/somewhere")
    assert clusters.folder() == Path("/somewhere/clusters")
    monkeypatch.delenv("MIGCHECK_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", "/xdg")
    assert clusters.folder() == Path("/xdg/migcheck/clusters")


@pytest.mark.server
def test_servers_after_the_first_start_from_its_folder(cache: Path) -> None:
    first, owner = _identifier_and_owner()
    (entry,) = cache.iterdir()
    assert entry.name.startswith(f"pg{VERSION}-")
    assert sorted(path.name for path in entry.iterdir()) == ["data", "installation"]
    # Two more servers: copies of the folder the first one's initdb made.
    assert _identifier_and_owner() == (first, owner)
    assert _identifier_and_owner() == (first, owner)
    assert [path.name for path in cache.iterdir()] == [entry.name]
    if os.geteuid() == 0:
        assert owner == local.UNPRIVILEGED_USER  # the copies are the server's user's


@pytest.mark.server
def test_without_the_cache_every_server_runs_initdb(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MIGCHECK_CACHE_DIR", "")
    assert _identifier_and_owner()[0] != _identifier_and_owner()[0]


@pytest.mark.server
def test_a_half_filled_entry_and_an_earlier_build_are_removed(cache: Path) -> None:
    cache.mkdir(parents=True)
    bindir = local.installations()[VERSION]
    # What a run killed while filling the cache leaves: its pid is gone now.
    killed = subprocess.Popen([sys.executable, "-c", "pass"])
    killed.wait()
    half = cache / f"pg{VERSION}-0123456789abcdef.{killed.pid}.filling"
    (half / "data").mkdir(parents=True)
    (half / owners.MARKER).write_text(
        owners.Owner(owners.Owner.me().host, killed.pid, "1").text() + "\n"
    )
    # The same installation, another build of its binary (an upgrade since).
    earlier = cache / f"pg{VERSION}-fedcba9876543210"
    (earlier / "data").mkdir(parents=True)
    (earlier / "installation").write_text(f"{(bindir / 'postgres').resolve()}\n")
    # Another installation's folder stays; one of an installation removed since goes.
    elsewhere = cache.parent / "elsewhere" / "postgres"
    elsewhere.parent.mkdir()
    elsewhere.write_text("")
    other = cache / "pg99-aaaaaaaaaaaaaaaa"
    (other / "data").mkdir(parents=True)
    (other / "installation").write_text(f"{elsewhere}\n")
    removed = cache / "pg99-bbbbbbbbbbbbbbbb"
    (removed / "data").mkdir(parents=True)
    (removed / "installation").write_text("/nowhere/bin/postgres\n")

    _identifier_and_owner()
    names = sorted(path.name for path in cache.iterdir())
    assert len(names) == 2, names
    assert other.name in names
    assert not half.exists()
    assert not earlier.exists()
    assert not removed.exists()


@pytest.mark.server
def test_an_unwritable_cache_is_an_initdb_more(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    monkeypatch.setenv("MIGCHECK_CACHE_DIR", str(blocked))
    _identifier_and_owner()
    assert blocked.read_text() == "not a folder"
