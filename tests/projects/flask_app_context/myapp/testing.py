"""Helpers for tools that run the blog outside of a request (tests, migcheck)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from myapp import create_app
from myapp.extensions import db


@contextmanager
def app_context(database_url: str) -> Iterator[None]:
    """The application on ``database_url``, for the length of one command.

    migcheck enters this around every Alembic command it runs (``context`` in
    [tool.migcheck]): Flask-Migrate's env.py reads the engine from current_app.
    """
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "TESTING": True})
    with app.app_context():
        try:
            yield
        finally:
            db.engine.dispose()
