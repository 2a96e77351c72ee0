"""Settings, read from the environment once, when this module is imported.

Nested keys use a double underscore: LEDGER__DB__URL is ``settings.db.url``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

PREFIX = "LEDGER"


@dataclass(frozen=True)
class DatabaseSettings:
    url: str
    pool_size: int = 5
    echo: bool = False


@dataclass(frozen=True)
class Settings:
    environment: str
    db: DatabaseSettings


def _get(*path: str, default: str | None = None) -> str:
    name = "__".join((PREFIX, *path)).upper()
    value = os.environ.get(name, default)
    if value is None:
        raise RuntimeError(f"{name} is not set")
    return value


def load() -> Settings:
    return Settings(
        environment=_get("environment", default="development"),
        db=DatabaseSettings(
            url=_get("db", "url"),
            pool_size=int(_get("db", "pool_size", default="5")),
            echo=_get("db", "echo", default="false").lower() == "true",
        ),
    )


settings = load()
