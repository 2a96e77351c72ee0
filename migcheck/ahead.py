"""The whole history upgraded in one run, on a scratch database of its own, while the walk
goes on: what the walk's last step (``Walk.up_all``) does, done ahead on a core the walk
leaves idle.

The walk is one process after another waiting on each other (migcheck, the runner, the
server's backend): a second core has little to do. This thread upgrades the same
revisions the walk will have walked when none fails, and keeps the outcome; the walk's
end takes it when it walked exactly those revisions, and upgrades them itself (as
without this) otherwise. Nothing of it is reported on its own.

Only with MIGCHECK_AHEAD=1 for now: it runs on the walk's server, and what belongs to the
server rather than to a database (roles, tablespaces, a bootstrap script's objects) is
created by both at once and collides (a CREATE ROLE revision failed with "already exists"
in a review). Its timings add to the walk's, and its long-step notices name the revision
it runs. A server of its own, or no ahead for projects that touch such objects, would let
it on by default.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from contextlib import ExitStack

from migcheck.runs import MigrationError
from migcheck.scratch import Database, Scratch
from migcheck.snapshot import Snapshot


class Ahead:
    """``prefix`` upgraded in one run, then ``revisions`` in one run, on a new database
    of ``scratch``, in a thread started at once. ``close`` ends it and drops the
    database, whatever it is doing."""

    def __init__(self, scratch: Scratch, prefix: Sequence[str], revisions: Sequence[str]):
        self.revisions = tuple(revisions)
        self.error: MigrationError | None = None
        self.snapshot: Snapshot | None = None
        self.failed = False  # migcheck could not do it: the walk does it itself
        self._stack = ExitStack()
        self._database: Database | None = None
        self._closing = threading.Event()
        self._thread = threading.Thread(
            target=self._run, args=(scratch, list(prefix)), name="migcheck-ahead", daemon=True
        )
        self._thread.start()

    def _run(self, scratch: Scratch, prefix: list[str]) -> None:
        try:
            database = self._database = scratch.open(self._stack)
            for revisions in (prefix, self.revisions):
                if self._closing.is_set():
                    return
                error = database.run([(rev, True) for rev in revisions]) if revisions else None
                if error is not None:
                    self.error = error
                    return
            self.snapshot = database.snapshot()
        except BaseException:  # anything: the walk's own step says it
            self.failed = True

    def result(self, walked: Sequence[str]) -> MigrationError | Snapshot | None:
        """The error, or the schema built, when ``walked`` is what it upgraded; None:
        the walk upgrades them itself."""
        self._thread.join()
        if self.failed or tuple(walked) != self.revisions:
            return None
        return self.error or self.snapshot

    def close(self) -> None:
        self._closing.set()
        if self._thread.is_alive() and self._database is not None:
            # A run it waits on ends with its runner.
            self._database.kill_runner()
        self._thread.join()
        self._stack.close()
