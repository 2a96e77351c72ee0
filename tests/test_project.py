"""Loading a project's Alembic configuration: alembic.ini, [tool.alembic], named sections,
Flask-Migrate's layout, and histories migcheck cannot see. No server needed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from migcheck.config import Config
from migcheck.errors import ProjectError
from migcheck.project import alembic_folders, folders, load

PROJECTS = Path(__file__).parent / "projects"

REVISION = (
    'revision = "{rev}"\ndown_revision = {down!r}\nbranch_labels = None\ndepends_on = None\n\n'
    "def upgrade():\n    pass\n\n\ndef downgrade():\n    pass\n"
)
PYPROJECT_ALEMBIC = '[tool.alembic]\nscript_location = "%(here)s/migrations"\n'


def write(folder: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return folder


def history(folder: str = "migrations/versions") -> dict[str, str]:
    return {
        "migrations/env.py": "",
        f"{folder}/0001_first.py": REVISION.format(rev="0001", down=None),
        f"{folder}/0002_second.py": REVISION.format(rev="0002", down="0001"),
    }


def test_pyproject_alone(tmp_path: Path) -> None:
    """Alembic 1.16+: [tool.alembic] in pyproject.toml, no alembic.ini at all."""
    write(tmp_path, {"pyproject.toml": PYPROJECT_ALEMBIC, **history()})
    project = load(Config(project_dir=tmp_path))
    assert [r.id for r in project.revisions] == ["0001", "0002"]
    assert project.toml_path == tmp_path.resolve() / "pyproject.toml"
    assert project.alembic_config().config_file_name is None


def test_pyproject_named_with_config(tmp_path: Path) -> None:
    write(tmp_path, {"pyproject.toml": PYPROJECT_ALEMBIC, **history()})
    project = load(Config(project_dir=tmp_path, alembic_ini="pyproject.toml"))
    assert len(project.revisions) == 2


def test_pyproject_paths_and_ini_url_together(tmp_path: Path) -> None:
    """`alembic init -t pyproject`: paths in pyproject.toml, URL and logging in alembic.ini."""
    write(
        tmp_path,
        {
            "pyproject.toml": PYPROJECT_ALEMBIC
            + 'version_locations = ["%(here)s/migrations/versions", "%(here)s/plugins/x"]\n',
            "alembic.ini": "[alembic]\nsqlalchemy.url = postgresql+psycopg://app@db/app\n",
            **history(),
            "plugins/x/0003_plugin.py": REVISION.format(rev="0003", down="0002"),
        },
    )
    project = load(Config(project_dir=tmp_path))
    assert [r.id for r in project.revisions] == ["0001", "0002", "0003"]
    config = project.alembic_config()
    assert config.get_main_option("sqlalchemy.url") == "postgresql+psycopg://app@db/app"


def test_pyproject_without_alembic_table(tmp_path: Path) -> None:
    write(tmp_path, {"pyproject.toml": '[project]\nname = "x"\n'})
    with pytest.raises(ProjectError, match=r"alembic.ini: no such file .*\[tool.alembic\]"):
        load(Config(project_dir=tmp_path))
    with pytest.raises(ProjectError, match=r"no \[tool.alembic\] table"):
        load(Config(project_dir=tmp_path, alembic_ini="pyproject.toml"))


def test_named_section_must_exist(tmp_path: Path) -> None:
    write(tmp_path, {"alembic.ini": "[app]\nscript_location = %(here)s/migrations\n"})
    write(tmp_path, history())
    assert len(load(Config(project_dir=tmp_path, ini_section="app")).revisions) == 2
    with pytest.raises(ProjectError, match=r"no section \[alembic\] \(name another with -n"):
        load(Config(project_dir=tmp_path))


def test_flask_migrate_layout_without_script_location(tmp_path: Path) -> None:
    """`flask db init` writes migrations/alembic.ini without script_location."""
    write(
        tmp_path,
        {"migrations/alembic.ini": "[alembic]\n# template used to generate migration files\n"},
    )
    write(tmp_path, history())
    project = load(Config(project_dir=tmp_path, alembic_ini="migrations/alembic.ini"))
    assert Path(project.script_location) == (tmp_path / "migrations").resolve()
    assert project.alembic_config().get_main_option("script_location") == str(
        (tmp_path / "migrations").resolve()
    )


def test_no_script_location_elsewhere_is_an_error(tmp_path: Path) -> None:
    write(tmp_path, {"alembic.ini": "[alembic]\nsqlalchemy.url = x\n"})
    with pytest.raises(ProjectError, match=r"section \[alembic\] has no script_location"):
        load(Config(project_dir=tmp_path))


def test_no_revisions_is_an_error_that_says_how_to_configure(tmp_path: Path) -> None:
    write(tmp_path, {"alembic.ini": "[alembic]\nscript_location = %(here)s/migrations\n"})
    write(tmp_path, {"migrations/env.py": "", "migrations/versions/.keep": ""})
    with pytest.raises(ProjectError, match="no revision files in") as raised:
        load(Config(project_dir=tmp_path))
    assert "list the folders in version_locations" in str(raised.value)


def test_broken_revision_in_a_second_version_location_is_named(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "alembic.ini": (
                "[alembic]\nscript_location = %(here)s/migrations\npath_separator = space\n"
                "version_locations = %(here)s/migrations/versions %(here)s/billing\n"
            ),
            **history(),
            "billing/b001_plans.py": 'revision = "b001"\ndown_revision = None\nimport nowhere\n',
        },
    )
    with pytest.raises(ProjectError, match=r"b001_plans.py:3: cannot load revision"):
        load(Config(project_dir=tmp_path))


def test_handover_roots_include_the_settings_folder(tmp_path: Path) -> None:
    write(tmp_path, {"migrations/alembic.ini": "[alembic]\n", **history()})
    settings_file = write(tmp_path, {"pyproject.toml": ""}) / "pyproject.toml"
    project = load(
        Config(
            project_dir=tmp_path,
            alembic_ini="migrations/alembic.ini",
            settings_file=settings_file,
            bootstrap_sql="schema.sql",
        )
    )
    assert project.handover.roots == (tmp_path.resolve(), (tmp_path / "migrations").resolve())
    assert project.handover.bootstrap_sql == (tmp_path / "schema.sql").resolve()


@pytest.mark.parametrize("case", sorted(p.name for p in PROJECTS.iterdir() if p.is_dir()))
def test_folders_without_alembic_agree_with_alembic(case: str) -> None:
    """The static checks read the commonest layouts without importing Alembic: the
    folders they find are Alembic's."""
    folder = PROJECTS / case
    expected_file = folder / "expected.json"
    expected = json.loads(expected_file.read_text()) if expected_file.is_file() else {}
    config = Config(project_dir=folder, **expected.get("config", {}))
    try:
        wanted = alembic_folders(config)
    except ProjectError:
        return
    assert folders(config) == wanted


def test_ini_that_is_not_utf8_names_the_file(tmp_path: Path) -> None:
    write(tmp_path, history())
    ini = tmp_path / "alembic.ini"
    ini.write_bytes(b"# Caf\xe9\n[alembic]\nscript_location = %(here)s/migrations\n")
    with pytest.raises(ProjectError, match=rf"{ini}: cannot read: not UTF-8 text"):
        folders(Config(project_dir=tmp_path))


def test_pyproject_that_is_not_utf8_names_the_file(tmp_path: Path) -> None:
    write(tmp_path, history())
    (tmp_path / "alembic.ini").write_text("[alembic]\nscript_location = %(here)s/migrations\n")
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_bytes(b'[project]\nname = "caf\xe9"\n')
    with pytest.raises(ProjectError, match=rf"{pyproject}: not valid TOML: not UTF-8 text"):
        folders(Config(project_dir=tmp_path))
