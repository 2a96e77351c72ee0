"""Where a schema comes from: a revision built on a fresh server, a snapshot file, or a
live database read without writing anything."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Any, Literal

import psycopg
from psycopg import sql

from migcheck import provision
from migcheck.config import Config
from migcheck.diff import Difference, diff
from migcheck.errors import ProjectError, ServerError, UsageError
from migcheck.findings import Comparison
from migcheck.normalize import differences
from migcheck.project import Project
from migcheck.project import load as load_project
from migcheck.provision import url as url_backend
from migcheck.runner_pool import runners
from migcheck.scratch import Scratch
from migcheck.snapshot import Catalog, Snapshot
from migcheck.walk import build

SourceKind = Literal["revision", "file", "url"]
URL_PREFIXES = ("postgresql://", "postgres://", "postgresql+")
# What no revision reference or file name has: a scheme's // or a user:password@.
_URL_LIKE = re.compile(r"^[A-Za-z][\w+.-]*:?//|:[^@/]*@")


@dataclass(frozen=True, slots=True)
class Source:
    """One side of a diff, as the user named it."""

    kind: SourceKind
    text: str

    @property
    def label(self) -> str:
        return provision.safe_url(self.text) if self.kind == "url" else self.text


def classify(text: str) -> Source:
    if text.startswith(URL_PREFIXES) or _URL_LIKE.search(text):
        url_backend.check(text, where=None)  # a mistyped URL is said so, never echoed
        return Source("url", text)
    if text.endswith(".json") or Path(text).is_file():
        return Source("file", text)
    return Source("revision", text)


def resolve(project: Project, reference: str) -> tuple[str, ...]:
    """Revision ids for ``base``, ``head``/``heads``, an id or unique prefix, ``REF-N``."""
    if reference == "base":
        return ()
    if reference == "heads":
        return tuple(project.heads())
    name, minus, steps = reference.rpartition("-")
    if minus and name and steps.isdigit():
        (current,) = resolve(project, name) or (None,)
        for _ in range(int(steps)):
            if current is None:
                raise UsageError(f"{reference}: goes below base")
            parents = project.get(current).parents
            if len(parents) > 1:
                raise UsageError(
                    f"{reference}: {current} is a merge of {', '.join(parents)}; name one of them"
                )
            current = parents[0] if parents else None
        return (current,) if current else ()
    return (project.resolve(reference, option=reference),)


def _connect_live(url: str) -> psycopg.Connection[tuple[Any, ...]]:
    try:
        return psycopg.connect(provision.database_url(url), autocommit=True)
    except psycopg.OperationalError as error:
        first = (str(error).strip().splitlines() or [repr(error)])[0]
        raise ServerError(f"cannot connect to {provision.safe_url(url)}: {first}") from None


def live_version(url: str) -> int:
    """The major version of the server a live database is on."""
    with _connect_live(url) as connection:
        return connection.info.server_version // 10000


def with_live_version(config: Config, sides: Sequence[Source]) -> Config:
    """``config`` building on the live database's major version, unless --pg names one:
    a schema built on another version than production's may differ in what that version
    prints or accepts."""
    live = [side for side in sides if side.kind == "url"]
    building = any(side.kind == "revision" for side in sides) or len(sides) == 1
    if config.pg_versions or not live or not building:
        return config
    if config.urls and config.backend in ("auto", "url"):
        return config  # the server named builds them, whatever version it runs
    version = live_version(live[0].text)
    if config.backend in ("auto", "local") and not config.urls:
        from migcheck.provision import docker, local

        found = local.installations(config.pg_bin)
        if version not in found and (config.backend == "local" or not docker.reachable()):
            have = ", ".join(str(v) for v in sorted(found)) or "none"
            raise UsageError(
                f"{live[0].label} runs PostgreSQL {version}, and diff builds the migrations "
                f"on the same version: no PostgreSQL {version} server binaries here (found "
                f"{have}); install them, or name the version to build on with --pg"
            )
    return replace(config, pg_versions=(version,))


def read_live(url: str) -> tuple[Snapshot, tuple[str, ...]]:
    """The schema of a live database and the revisions its version table records.

    Only catalog reads, in READ ONLY transactions: nothing is created or changed there.
    """
    with _connect_live(url) as connection:
        connection.read_only = True
        connection.execute("SET default_transaction_read_only = on")
        snapshot = Catalog(connection).take()
        with connection.transaction():
            table = connection.execute("SELECT to_regclass('alembic_version')::text").fetchone()
            recorded: tuple[str, ...] = ()
            if table and table[0]:
                rows = connection.execute(
                    sql.SQL("SELECT version_num FROM {}").format(sql.Identifier(table[0]))
                ).fetchall()
                recorded = tuple(sorted(str(row[0]) for row in rows))
    return snapshot, recorded


def at_revisions(
    config: Config, project: Project, targets: Sequence[tuple[str, ...]]
) -> list[Snapshot]:
    """The schemas at each of ``targets``, built on one fresh server."""
    version = config.pg_versions[0] if config.pg_versions else None
    with (
        provision.start(config, version) as server,
        runners(project.handover.python) as pool,
    ):
        scratch = Scratch(
            project,
            partial(provision.scratch_database, server),
            pool,
            step_timeout=config.step_timeout,
            verbose=config.verbose,
        )
        return [build(scratch, target) for target in targets]


def load_file(path: str) -> Snapshot:
    try:
        return Snapshot.from_json(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise UsageError(f"{path}: {error.strerror}") from None
    except (ValueError, KeyError, TypeError) as error:
        raise ProjectError(f"{path}: not a migcheck snapshot file ({error})") from None


def narrow(
    snapshot: Snapshot, *, schemas: Sequence[str] = (), exclude_tables: Sequence[str] = ()
) -> Snapshot:
    """Only the objects of ``schemas`` (all when empty), without tables matching a pattern.

    A pattern matches a table's name or its schema-qualified name (``audit_*``,
    ``public.tmp_*``); the table's columns, constraints, indexes and triggers go with it.
    """

    def excluded(schema: str, table: str) -> bool:
        return any(
            fnmatch.fnmatchcase(table, pattern) or fnmatch.fnmatchcase(f"{schema}.{table}", pattern)
            for pattern in exclude_tables
        )

    kept = tuple(
        obj
        for obj in snapshot.objects
        if (not schemas or obj.key.schema in schemas)
        and not (obj.key.kind == "table" and excluded(obj.key.schema, obj.key.name))
        and not (obj.key.parent and excluded(obj.key.schema, obj.key.parent))
    )
    return replace(snapshot, objects=kept)


def compare(old: Snapshot, new: Snapshot, *, canonical: bool) -> tuple[Difference, ...]:
    """What differs; with ``canonical``, expressions compared in their canonical form
    (the two sides come from different servers), the catalog's own text shown."""
    return differences(old, new) if canonical else diff(old, new)


def compare_sources(
    config: Config,
    first: str,
    second: str | None,
    *,
    schemas: Sequence[str] = (),
    exclude_tables: Sequence[str] = (),
) -> Comparison:
    """``migcheck diff``: each side a revision reference, a snapshot file or a URL. A
    live database that differs is MC303 (``Comparison.report``)."""
    sides = [classify(first)] + ([classify(second)] if second else [])
    config = with_live_version(config, sides)
    recorded: tuple[str, ...] = ()
    if len(sides) == 1:
        if sides[0].kind != "url":
            raise UsageError(
                f"{first}: with one side, diff compares a live database (a URL) with the "
                "schema its migrations build; give two sides otherwise"
            )
        database, recorded = read_live(sides[0].text)
        project = load_project(config)
        known = {r.id for r in project.revisions}
        strangers = [rev for rev in recorded if rev not in known]
        if strangers:
            raise ProjectError(
                f"{sides[0].label} records revision {', '.join(strangers)}, which is not in "
                f"{project.script_location}: is this the right project or branch?"
            )
        (built,) = at_revisions(config, project, [recorded])
        old_label = f"migrations at {', '.join(recorded) or 'base'}{_built_on(config)}"
        snapshots = [built, database]
        labels = [old_label, sides[0].label]
    else:
        snapshots, labels = _load_sides(config, sides)
        if any(side.kind == "url" for side in sides):
            sides_built = [side.kind == "revision" for side in sides]
            labels = [
                label + _built_on(config) if b else label
                for label, b in zip(labels, sides_built, strict=True)
            ]
    old, new = (narrow(s, schemas=schemas, exclude_tables=exclude_tables) for s in snapshots)
    canonical = any(side.kind != "revision" for side in sides)
    return Comparison(
        labels[0],
        labels[-1],
        compare(old, new, canonical=canonical),
        live=any(side.kind == "url" for side in sides),
        recorded=recorded,
    )


def _built_on(config: Config) -> str:
    """`` (built on PostgreSQL 16)`` when the version is known before the server starts."""
    return f" (built on PostgreSQL {config.pg_versions[0]})" if config.pg_versions else ""


def _load_sides(config: Config, sides: Sequence[Source]) -> tuple[list[Snapshot], list[str]]:
    found: dict[int, Snapshot] = {}
    revisions = [(i, side) for i, side in enumerate(sides) if side.kind == "revision"]
    if revisions:
        project = load_project(config)
        targets = [resolve(project, side.text) for _, side in revisions]
        for (i, _), built in zip(revisions, at_revisions(config, project, targets), strict=True):
            found[i] = built
    for i, side in enumerate(sides):
        if side.kind == "file":
            found[i] = load_file(side.text)
        elif side.kind == "url":
            found[i] = read_live(side.text)[0]
    return [found[i] for i in range(len(sides))], [side.label for side in sides]
