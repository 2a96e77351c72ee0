"""What goes into a walk's tables before each revision, and the readings of their rows.

Before a revision's upgrade: the project's own rows first (its ``<revision>.sql`` file,
then its rows hook), then generated rows for every table that has never had any from
migcheck or has gained columns since (``seed.Seeder``); tables the project's rows went
into are left to them. The rows are read after each step of the revision, for
``compare.differences`` to tell what a downgrade lost (MC601) and what a second upgrade
did differently (MC602).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from migcheck.errors import ProjectError
from migcheck.handover import run_script
from migcheck.rows import reading
from migcheck.rows.reading import Catalog, Rows
from migcheck.rows.seed import Seeder

if TYPE_CHECKING:
    from migcheck.config import Config
    from migcheck.scratch import Database
    from migcheck.snapshot import Snapshot

# Schemas whose tables are kept, with their catalog: a revision's downgrade gives back
# the schema of before its upgrade, its second upgrade that of the first.
KEPT = 3
# The functions whose every overload is immutable: a default calling only these gives
# the same value each time. Read once per walk: a function a migration adds later is
# taken as one that does not (its column is then not compared after a second upgrade).
IMMUTABLE = "SELECT proname::text FROM pg_proc GROUP BY proname HAVING bool_and(provolatile = 'i')"


@dataclass(frozen=True, slots=True)
class Plan:
    """Which rows a walk puts in: ``rows`` generated per table (0: none) from ``seed``,
    and the project's: a hook ("package.module:function") and a folder of SQL files."""

    rows: int = 0
    seed: int = 0
    hook: str | None = None
    sql: Path | None = None

    @classmethod
    def of(cls, config: Config) -> Plan:
        folder = Path(config.rows_sql) if config.rows_sql else None
        if folder is not None and not folder.is_absolute():
            folder = config.project_dir / folder
        return cls(config.rows, config.seed, config.rows_hook, folder)

    @property
    def active(self) -> bool:
        return bool(self.rows or self.hook or self.sql)

    @property
    def own(self) -> bool:
        """Whether the project puts rows in itself."""
        return bool(self.hook or self.sql)

    def describe(self) -> str:
        """What went in, as a run says it: "10 generated rows per table (seed 0) and the
        project's (rows_hook)"; "" for nothing."""
        parts = [f"{self.rows} generated rows per table (seed {self.seed})"] if self.rows else []
        own = [name for name, given in (("rows_sql", self.sql), ("rows_hook", self.hook)) if given]
        if own:
            parts.append(f"the project's rows ({', '.join(own)})")
        return " and ".join(parts)


class Filling:
    """One walk's rows: puts them in before each revision, reads them after each step.

    ``skipped``: tables generation left empty, with why (the first reason seen)."""

    def __init__(self, plan: Plan) -> None:
        if plan.sql is not None and not plan.sql.is_dir():
            raise ProjectError(f"rows_sql = {str(plan.sql)!r}: no such folder")
        self.plan = plan
        self.seeder: Seeder | None = None  # made at the first fill: the version table known
        self.skipped: dict[str, str] = {}
        self.seconds = 0.0
        self._catalogs: list[tuple[Snapshot, Catalog]] = []
        self._immutable: frozenset[str] | None = None  # see IMMUTABLE

    def forget(self) -> None:
        """The database was replaced by a fresh one, with no rows of migcheck's in it."""
        if self.seeder is not None:
            self.seeder.forget()
        self._catalogs.clear()

    def before(
        self, db: Database, revision: str, schema: Snapshot | None = None
    ) -> frozenset[str] | None:
        """Rows in ``db``'s tables (of ``schema``, when known) before ``revision``'s
        upgrade. The tables they went into (as shown); None when that is not known (the
        project's own rows went in too)."""
        started = time.perf_counter()
        try:
            leave: frozenset[str] = frozenset()
            version_table = str(db.catalog.params["version_table"])
            if self.plan.own:
                counted = _counts(self.read(db, schema))
                self._own(db, revision)
                after = _counts(self.read(db, schema))
                leave = frozenset(t for t, n in after.items() if counted.get(t) != n)
            if self.seeder is None and self.plan.rows:
                self.seeder = Seeder(self.plan.rows, self.plan.seed, version_table=version_table)
            if self.seeder is None:
                return None if self.plan.own else frozenset()
            filled = self.seeder.fill(db.catalog_connection, revision, leave=leave)
            for skipped in filled.skipped:
                self.skipped.setdefault(skipped.table, skipped.reason)
            return None if self.plan.own else frozenset(table for table, _ in filled.rows)
        finally:
            self.seconds += time.perf_counter() - started

    def reread(self, db: Database, schema: Snapshot, rows: Rows, tables: frozenset[str]) -> Rows:
        """``rows``, the reading of ``db`` before rows went into ``tables`` only, with those
        tables read again."""
        if not tables:
            return rows
        started = time.perf_counter()
        try:
            subset = tuple(table for table in self._catalog(db, schema) if table.shown in tables)
            again = reading.read(db.catalog_connection, tables=subset)
            return reading.replaced(rows, again)
        finally:
            self.seconds += time.perf_counter() - started

    def read(self, db: Database, schema: Snapshot | None = None) -> Rows:
        """Every table's rows; ``schema``: the database's schema, when known (its tables'
        catalog is then read once for all the readings of that schema)."""
        started = time.perf_counter()
        try:
            tables = self._catalog(db, schema) if schema is not None else None
            version_table = str(db.catalog.params["version_table"])
            return reading.read(db.catalog_connection, version_table=version_table, tables=tables)
        finally:
            self.seconds += time.perf_counter() - started

    def _catalog(self, db: Database, schema: Snapshot) -> Catalog:
        """The tables of ``schema`` to read, from the snapshot itself (see
        ``reading.described``): kept for the readings of the same schema."""
        for kept, tables in self._catalogs:
            if kept is schema or kept == schema:
                return tables
        if self._immutable is None:
            rows = db.catalog_connection.execute(IMMUTABLE)
            self._immutable = frozenset(str(name) for (name,) in rows)
        tables = reading.described(schema, self._immutable)
        self._catalogs = [(schema, tables), *self._catalogs[: KEPT - 1]]
        return tables

    def _own(self, db: Database, revision: str) -> None:
        """The project's rows for ``revision``: its SQL file, then its hook."""
        file = self.plan.sql / f"{revision}.sql" if self.plan.sql else None
        if file is not None and file.is_file():
            shown = db.project.relative(str(file))
            try:
                text = file.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as error:
                raise ProjectError(f"{shown}: cannot read it: {error}") from None
            db.heads = None  # the project's SQL: anything may change
            failed = run_script(db.libpq_url, text)
            if failed is not None:
                raise ProjectError(f"{shown}: failed before the upgrade of {revision}: {failed[1]}")
        if self.plan.hook:
            db.rows_hook(self.plan.hook, revision)

    def notes(self) -> tuple[str, ...]:
        """The tables generation left empty, and why."""
        return tuple(
            f"rows: {table} left empty: {why}" for table, why in sorted(self.skipped.items())
        )


def _counts(rows: Rows) -> dict[str, int]:
    return {table.name: len(table.rows) for table in rows.tables}
