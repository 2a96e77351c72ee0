"""Every option of migcheck, one row each: its flags, settings key, Config field, kind of
value, help, and the commands that have it.

The Click options (cli/options.py), the settings file's keys and their parsers
(settings.py), the pytest plugin's ``--migcheck-*`` options and the rows of
``migcheck config`` are all made from this table; nothing declares an option elsewhere.
A key may have a row per group of commands where they differ (``--format`` has more
choices for check than for snapshot); a key's rows never share a command.
"""

from __future__ import annotations

import keyword
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from migcheck.errors import UsageError

Backend = Literal["auto", "local", "docker", "url"]
BACKENDS: tuple[Backend, ...] = ("auto", "local", "docker", "url")
# The SQLAlchemy driver names a project's URLs carry (postgresql+<driver>://).
Driver = Literal["psycopg", "psycopg2", "asyncpg", "pg8000"]
DRIVERS: tuple[Driver, ...] = ("psycopg", "psycopg2", "asyncpg", "pg8000")
# The major versions the PostgreSQL project supports as of this release (kept in one place).
SUPPORTED_VERSIONS: tuple[int, ...] = (14, 15, 16, 17, 18)
KNOWN_VERSIONS = range(9, 40)
DEFAULT_IMAGE = "postgres:{version}"
DEFAULT_INI = "alembic.ini"
# Rows generated in every table before each revision (see migcheck.rows).
DEFAULT_ROWS = 10
# migcheck.reporters.REPORTERS, spelled out so that reading the table imports no reporter
# (a test keeps the two equal).
REPORT_FORMATS = ("github", "json", "junit", "markdown", "sarif", "text")

# The commands that read the settings file; "migcheck" is the command group itself.
SETTINGS_COMMANDS = ("check", "snapshot", "diff", "merge")
_PROJECT = ("check", "snapshot", "diff")

Kind = Literal[
    "text",  # a non-empty string
    "texts",  # repeatable; a string or a list of strings in the settings
    "path",  # a string; relative to the settings file when set there
    "flag",  # on/off
    "choice",  # one of the row's choices
    "versions",  # PostgreSQL major versions: 16, 14,16,17, 13-18, supported
    "seconds",  # a number >= 0
    "count",  # a whole number >= 1
    "number",  # a whole number >= 0
    "hook",  # "package.module:attribute"
    "models",  # a hook, or false (settings) for no models comparison
    "ignores",  # suppressions: settings only
    "severities",  # {code = severity}: settings only
]


@dataclass(frozen=True, slots=True)
class Option:
    """One option of one or more commands."""

    key: str  # the settings key, and the option's identity
    flags: tuple[str, ...]  # Click's declarations; (): the settings file only
    commands: tuple[str, ...]
    help: str
    kind: Kind = "text"
    field: str | None = None  # the Config field it sets; None: the command reads it
    choices: tuple[str, ...] = ()
    default: object = None
    metavar: str | None = None
    off: str | None = None  # a flag's opposite: --no-reuse
    pytest: bool = False  # also a --migcheck-<key> option of the pytest plugin

    @property
    def name(self) -> str:
        """The Python name of its value (Click's parameter name)."""
        return f"{self.key}_" if keyword.iskeyword(self.key) else self.key

    @property
    def flag(self) -> str:
        """How messages name it: its long flag, else its settings key."""
        long = [f for f in self.flags if f.startswith("--")]
        return long[0] if long else self.key

    @property
    def pytest_flag(self) -> str:
        return "--migcheck-" + self.key.replace("_", "-")

    @property
    def repeatable(self) -> bool:
        return self.kind in ("texts", "ignores")


def _versions_help(what: str) -> str:
    return f"PostgreSQL major versions: 16, 14,16,17, 13-18 or 'supported' ({what})."


# One row per option, read as a table.
# fmt: off
ROWS: tuple[Option, ...] = (
    Option("debug", ("--debug",), ("migcheck",),
           "Show tracebacks of internal errors.",
           kind="flag"),
    Option("config", ("-c", "--config"), _PROJECT,
           "The project's Alembic configuration file (default: alembic.ini); the migcheck "
           "settings are looked for from its folder up.",
           kind="path", metavar="FILE", pytest=True),
    Option("config", ("-c", "--config"), ("merge",),
           "The Alembic configuration the reports are of (default: alembic.ini): its "
           "suppressions apply, code hosts get files named from its folder.",
           kind="path", metavar="FILE"),
    Option("name", ("-n", "--name"), _PROJECT,
           "Section of the ini file.",
           field="ini_section", default="alembic"),
    Option("url_env", ("--url-env",), _PROJECT,
           "Environment variable env.py reads its database URL from (repeatable).",
           kind="texts", field="url_env", metavar="NAME"),
    Option("x", ("-x", "--x"), _PROJECT,
           "An -x argument for env.py (repeatable); {url} is the scratch database's URL.",
           kind="texts", field="x_args", metavar="KEY=VALUE"),
    Option("driver", ("--driver",), _PROJECT,
           "SQLAlchemy driver of the URLs handed to env.py (default: the one the project's URL"
           " names, else psycopg2 if the project has it, else psycopg).",
           kind="choice", field="driver", choices=DRIVERS, pytest=True),
    Option("python", ("--python",), _PROJECT,
           "The Python that runs the project's env.py and revisions (default: the active "
           "virtualenv, else a .venv or venv beside the configuration, else migcheck's own).",
           kind="path", field="python", metavar="PATH", pytest=True),
    Option("step_timeout", ("--step-timeout",), _PROJECT,
           "Cancel a migration step running longer than this (a finding); 0: no limit.",
           kind="seconds", field="step_timeout", default=600.0, metavar="SECONDS", pytest=True),
    Option("verbose", ("-v", "--verbose"), _PROJECT,
           "Show everything the project prints (its logging too), step by step, on standard "
           "error.",
           kind="flag", field="verbose", off="--no-verbose"),
    Option("pg", ("--pg",), _PROJECT,
           "PostgreSQL major versions: 16, 14,16,17, 13-18 or 'supported' (snapshot and diff "
           "build on the first).",
           kind="versions", field="pg_versions", metavar="VERSIONS", pytest=True),
    Option("backend", ("--backend",), _PROJECT,
           "Where servers come from.",
           kind="choice", field="backend", choices=BACKENDS, default="auto", pytest=True),
    Option("url", ("--url",), _PROJECT,
           "An existing server (backend url): migcheck works in a scratch database on it. "
           "Repeatable: one server per version, each version walked on the one that runs it.",
           kind="texts", field="urls", metavar="URL", pytest=True),
    Option("url", ("--url",), ("cleanup",),
           "A server migcheck made scratch databases on (backend url): drop those of killed "
           "runs.",
           metavar="URL"),
    Option("pg_bin", ("--pg-bin",), _PROJECT,
           "Folder of PostgreSQL server binaries (backend local).",
           kind="path", field="pg_bin", metavar="DIR", pytest=True),
    Option("image", ("--image",), _PROJECT,
           "Image of each version's container (backend docker); {version} is the major "
           "version.",
           field="image", default=DEFAULT_IMAGE, metavar="TEMPLATE", pytest=True),
    Option("reuse", ("--reuse",), _PROJECT,
           "Keep each version's container running for the next run (backend docker).",
           kind="flag", field="reuse", off="--no-reuse"),
    Option("jobs", ("-j", "--jobs"), ("check",),
           "PostgreSQL versions walked at a time (default: one per CPU core).",
           kind="count", field="jobs", metavar="N"),
    Option("from", ("--from",), ("check",),
           "First revision to check.",
           field="from_revision", metavar="REV", pytest=True),
    Option("to", ("--to",), ("check",),
           "Last revision to check.",
           field="to_revision", metavar="REV", pytest=True),
    Option("rows", ("--rows",), ("check",),
           "Rows generated in every table before each revision's upgrade, so that what "
           "only fails or loses data with rows shows (MC105, MC601, MC602); 0: none.",
           kind="number", field="rows", default=DEFAULT_ROWS, metavar="N", pytest=True),
    Option("seed", ("--seed",), ("check",),
           "Seed of the generated rows: the same seed, the same rows.",
           kind="number", field="seed", default=0, metavar="N", pytest=True),
    Option("rows_hook", (), ("check",),
           "package.module:function; function(connection, revision) adds rows before that "
           "revision's upgrade.",
           kind="hook", field="rows_hook"),
    Option("rows_sql", (), ("check",),
           "A folder of <revision>.sql files, each run before that revision's upgrade.",
           kind="path", field="rows_sql"),
    Option("locks", ("--locks",), ("check",),
           "Observe what each statement of every upgrade and downgrade locks and rewrites "
           "on tables that existed before it (MC501-MC506).",
           kind="flag", field="locks", default=True, off="--no-locks"),
    Option("models", ("--models",), ("check",),
           "The SQLAlchemy models (a MetaData or declarative base) compared with the schema at"
           " head (MC301); default: the target_metadata env.py passes.",
           kind="models", field="models", metavar="MODULE:ATTRIBUTE", pytest=True),
    Option("deploy_from", ("--deploy-from",), ("check",),
           "Check that the release at this git commit (its models' statements) still works "
           "on the schema the new revisions build (MC701); @base: the commit --changed "
           "compares with.",
           field="deploy_from", metavar="REF", pytest=True),
    Option("deploy_models", ("--deploy-models",), ("check",),
           "Where the models were at --deploy-from (default: the target_metadata env.py "
           "passed there).",
           kind="hook", field="deploy_models", metavar="MODULE:ATTRIBUTE", pytest=True),
    Option("deploy_role", ("--deploy-role",), ("check",),
           "The role the release at --deploy-from connects as: its statements run under SET "
           "ROLE, so that privileges and row-level security policies apply (MC701).",
           field="deploy_role", metavar="ROLE", pytest=True),
    Option("no_models", ("--no-models",), ("check",),
           "Do not compare the models with the schema at head (MC301); settings: models = "
           "false.",
           kind="flag", off="--compare-models"),
    Option("format", ("--format",), ("check", "merge"),
           "Report format (default: text; github under GitHub Actions).",
           kind="choice", choices=REPORT_FORMATS),
    Option("format", ("--format",), ("snapshot",),
           "What to print when there is no --output.",
           kind="choice", choices=("text", "json"), default="text"),
    Option("format", ("--format",), ("diff",),
           "Report format.",
           kind="choice", choices=REPORT_FORMATS, default="text"),
    Option("format", ("--format",), ("config",),
           "Output format.",
           kind="choice", choices=("text", "json"), default="text"),
    Option("output", ("-o", "--output"), ("check", "merge"),
           "Write a report to FILE (repeatable): FORMAT:FILE in FORMAT (one of --format's), "
           "FILE in --format's, and then the terminal gets the text report.",
           kind="texts", metavar="[FORMAT:]FILE"),
    Option("output", ("-o", "--output"), ("snapshot",),
           "Write the snapshot file (JSON) here.",
           kind="path", metavar="FILE"),
    Option("static", ("--static",), ("check",),
           "Only check the revision graph (MC401-MC406), without any server.",
           kind="flag", off="--no-static"),
    Option("changed", ("--changed",), ("check",),
           "Walk only the revisions whose files changed: the FILES given, else those that "
           "differ from --base in git.",
           kind="flag", field="changed", off="--no-changed"),
    Option("base", ("--base",), ("check",),
           "Git commit --changed compares with (default: the merge base with origin/HEAD, main"
           " or master).",
           field="base", metavar="REF"),
    Option("schema", ("--schema",), ("snapshot", "diff"),
           "Only this schema (repeatable).",
           kind="texts", metavar="NAME"),
    Option("exclude_table", ("--exclude-table",), ("snapshot", "diff"),
           "Leave out tables matching PATTERN (repeatable): tmp_*, audit.*",
           kind="texts", metavar="PATTERN"),
    Option("context", (), _PROJECT,
           "package.module:factory; factory(url) is a context manager env.py runs inside.",
           kind="hook", field="context"),
    Option("bootstrap", (), _PROJECT,
           "package.module:function; function(connection) prepares each fresh database.",
           kind="hook", field="bootstrap"),
    Option("bootstrap_sql", (), _PROJECT,
           "A SQL file run on each fresh database first.",
           kind="path", field="bootstrap_sql"),
    Option("ignore", (), SETTINGS_COMMANDS,
           "Findings accepted on purpose: [{code = \"MC201\", revision = \"ab12\", reason = "
           "\"...\"}].",
           kind="ignores", field="ignore"),
    Option("severity", (), SETTINGS_COMMANDS,
           "The severity of a code's findings instead of its own: {MC501 = \"error\", "
           "MC506 = \"info\"}; an error fails the check, a warning or info does not.",
           kind="severities", field="severity"),
)
# fmt: on


def for_command(command: str) -> dict[str, Option]:
    """The options of ``command`` by key, in the table's order."""
    return {row.key: row for row in ROWS if command in row.commands}


def settings_keys() -> dict[str, tuple[Option, ...]]:
    """Every key a settings file may hold, with its rows (one per group of commands)."""
    keys: dict[str, tuple[Option, ...]] = {}
    for row in ROWS:
        if any(command in SETTINGS_COMMANDS for command in row.commands):
            keys[row.key] = (*keys.get(row.key, ()), row)
    return keys


def field_keys() -> Mapping[str, Option]:
    """The rows that set a Config field, by field."""
    return {row.field: row for row in ROWS if row.field is not None}


def parse_pg_versions(spec: str, *, flag: str = "--pg") -> tuple[int, ...]:
    """``"16"``, ``"14,16,17"``, ``"13-18"``, ``"supported"`` -> sorted major versions."""
    versions: set[int] = set()
    tries = "(try 16, 14,16,17, 13-18 or supported)"
    if not spec.strip():
        raise UsageError(f"{flag}: no version given {tries}")
    for part in (piece.strip() for piece in spec.split(",")):
        if not part:
            raise UsageError(f"{flag}: {spec!r} has an empty item {tries}")
        if part == "supported":
            versions.update(SUPPORTED_VERSIONS)
            continue
        low, dash, high = part.partition("-")
        try:
            first = int(low)
            last = int(high) if dash else first
        except ValueError:
            raise UsageError(f"{flag}: {part!r} is not a major version {tries}") from None
        if first > last or first not in KNOWN_VERSIONS or last not in KNOWN_VERSIONS:
            raise UsageError(f"{flag}: {part!r} is not a range of PostgreSQL major versions")
        versions.update(range(first, last + 1))
    return tuple(sorted(versions))


def parse_text(row: Option, text: str, *, flag: str) -> object:
    """A value of ``row`` given as text (a pytest option), named ``flag`` in errors."""
    if row.kind == "versions":
        return parse_pg_versions(text, flag=flag)
    if row.kind == "choice" and text not in row.choices:
        raise UsageError(f"{flag}: choose one of {', '.join(row.choices)}, not {text!r}")
    if row.kind in ("seconds", "count", "number"):
        try:
            number = float(text) if row.kind == "seconds" else int(text)
        except ValueError:
            number = -1
        if number < (1 if row.kind == "count" else 0):
            wanted = {
                "seconds": "a number of seconds (0: no limit)",
                "count": "1 or more",
                "number": "a whole number of 0 or more",
            }[row.kind]
            raise UsageError(f"{flag}: expected {wanted}, found {text!r}")
        return number
    if row.kind == "texts":
        return (text,)
    if not text:
        raise UsageError(f"{flag}: give a value")
    return text
