"""Installed plugins; each may ship a migrations folder of its own."""

from pathlib import Path

ENABLED = ["cms.pages", "cms.media"]


def migration_folders() -> list[str]:
    here = Path(__file__).parent
    folders = []
    for plugin in ENABLED:
        folder = here.joinpath(*plugin.split(".")[1:], "migrations")
        if folder.is_dir():
            folders.append(str(folder))
    return folders
