"""What went wrong, in the project's terms: the file and line of the project's own code
that failed, the database's SQLSTATE and message, whatever the driver."""

import os
import traceback
from typing import Any, Dict, Optional, Sequence, Tuple

# Where migcheck's own runner lives: its frames are never the project's.
_RUNNER = os.path.dirname(os.path.abspath(__file__))


def inside(path: str, root: str) -> bool:
    """Whether ``path`` is ``root`` or under it (both absolute)."""
    try:
        return os.path.commonpath([path, root]) == root
    except ValueError:  # different drives
        return False


def display(path: str, roots: Sequence[str]) -> str:
    """``path`` relative to the project's folder that holds it (as given, if none does)."""
    resolved = os.path.realpath(path)
    for root in roots:
        if inside(resolved, root):
            return os.path.relpath(resolved, root)
    return path


def own_module(path: str, roots: Sequence[str]) -> bool:
    """Whether a file belongs to the project (not to an installed package or migcheck)."""
    if not os.path.isfile(path):  # "<string>", "<frozen ...>", generated code
        return False
    resolved = os.path.realpath(path)
    parts = set(resolved.split(os.sep))
    if {"site-packages", "dist-packages"} & parts or inside(resolved, _RUNNER):
        return False
    return any(inside(resolved, root) for root in roots)


def location(error: BaseException, roots: Sequence[str], fallback: str) -> str:
    """``file:line`` of the innermost frame of ``error`` in the project's own files."""
    for frame in reversed(traceback.extract_tb(error.__traceback__)):
        if own_module(frame.filename, roots):
            return f"{display(frame.filename, roots)}:{frame.lineno}"
    if isinstance(error, SyntaxError) and error.filename:
        return f"{display(error.filename, roots)}:{error.lineno}"
    return display(fallback, roots)


def last_line(error: BaseException) -> str:
    line = traceback.format_exception_only(type(error), error)[-1].strip()
    # The runner's own exceptions (a refused connection) read as migcheck's.
    return line.replace("_migcheck_runner.guard.", "migcheck: ", 1)


def database_error(error: BaseException) -> Tuple[Optional[str], Optional[str]]:
    """(SQLSTATE, primary message) of a database error, whatever the driver."""
    current = error  # type: Optional[BaseException]
    seen = set()
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        orig = getattr(current, "orig", None) or current
        code = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
        fields = orig.args[0] if orig.args else None
        if not code and isinstance(fields, dict) and "C" in fields:
            return str(fields["C"]), str(fields.get("M", ""))  # pg8000: the server's fields
        if code:
            diag = getattr(orig, "diag", None)
            primary = getattr(diag, "message_primary", None) if diag is not None else None
            # asyncpg, under SQLAlchemy's adapter: the driver's error is the cause.
            primary = primary or getattr(orig.__cause__, "message", None)
            text = str(orig).strip().splitlines()
            return str(code), primary or (text[0] if text else type(orig).__name__)
        current = current.__cause__ or current.__context__
    return None, None


def database_detail(error: BaseException) -> Optional[str]:
    """The DETAIL of a database error, whatever the driver (which key was duplicated,
    which value is missing from the referenced table): None when it has none."""
    current = error  # type: Optional[BaseException]
    seen = set()
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        orig = getattr(current, "orig", None) or current
        fields = orig.args[0] if orig.args else None
        if isinstance(fields, dict) and "C" in fields:
            return str(fields["D"]) if fields.get("D") else None  # pg8000
        diag = getattr(orig, "diag", None)
        detail = getattr(diag, "message_detail", None) if diag is not None else None
        # asyncpg, under SQLAlchemy's adapter: the driver's error is the cause.
        detail = detail or getattr(orig.__cause__, "detail", None)
        if detail or getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None):
            return str(detail) if detail else None
        current = current.__cause__ or current.__context__
    return None


def describe(error: BaseException, revisions_by_path: Dict[str, str]) -> Dict[str, Any]:
    """A failed migration as the protocol's ``error``: message, sqlstate, revision, file,
    line (the innermost frame in a revision file), type."""
    sqlstate, primary = database_error(error)
    if isinstance(error, SystemExit):
        code = error.code if error.code is not None else 0
        primary = f"the migration tried to end the process with exit code {code} (sys.exit)"
    elif isinstance(error, KeyboardInterrupt):
        primary = "the migration raised KeyboardInterrupt"
    if primary is None:
        primary = last_line(error)
    found = {"revision": None, "file": None, "line": None}  # type: Dict[str, Any]
    for frame in reversed(traceback.extract_tb(error.__traceback__)):
        revision = revisions_by_path.get(os.path.realpath(frame.filename))
        if revision is not None:
            found = {"revision": revision, "file": frame.filename, "line": frame.lineno}
            break
    found.update(
        message=primary,
        sqlstate=sqlstate,
        detail=database_detail(error),
        type=type(error).__name__,
    )
    return found


def hint(error: BaseException, driver: str, forms: str) -> str:
    """What to change, for the ways env.py commonly fails under migcheck."""
    text = str(error)
    if "attached to a different loop" in text or "Event loop is closed" in text:
        return (
            " (env.py reuses an async engine across asyncio.run() calls: `alembic` starts "
            "a new process for each command, migcheck runs env.py many times in one; end "
            "run_async_migrations() with `await engine.dispose()`, as Alembic's async "
            "template does)"
        )
    if "requires an async driver" in text:
        return f" (env.py is async: the driver must be asyncpg or psycopg, not {driver})"
    if "greenlet_spawn has not been called" in text:
        return f" (env.py is synchronous: the driver {driver} needs an async env.py)"
    if "invalid interpolation syntax" in text:
        return (
            " (a value env.py put into its Alembic configuration holds a %, which "
            "ConfigParser reads as interpolation: a password's special characters are "
            "percent-encoded in a URL; double them, set_main_option(name, url.replace('%', "
            "'%%')), or hand the URL to create_engine() instead)"
        )
    sqlstate, _ = database_error(error)
    if sqlstate is None and isinstance(error, (ImportError, SyntaxError)):
        return ""
    if sqlstate is None or sqlstate[:2] in ("08", "28", "3D"):
        return (
            f" (migcheck hands env.py the scratch database as {forms}; if env.py finds its "
            "database elsewhere, set url_env, x or context)"
        )
    return ""
