"""Schemas from revisions, snapshot files and live databases; `migcheck diff` drift."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import jsonschema
import psycopg
import pytest
from alembic import command
from alembic.config import Config as AlembicConfig
from servers import Servers
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from migcheck import sources
from migcheck.cli import run
from migcheck.codes import Code
from migcheck.config import Config
from migcheck.diff import render_all
from migcheck.errors import UsageError
from migcheck.project import load, working_directory
from migcheck.provision import Server, safe_url, scratch_database
from migcheck.reporters import comparison
from migcheck.snapshot import Key, Snapshot, make_snapshot

ROOT = Path(__file__).parent.parent
SARIF_SCHEMA = json.loads(
    (Path(__file__).parent / "schemas" / "sarif-schema-2.1.0.json").read_text()
)
BY_HAND = "+ index ix_customers_name_by_hand on customers using btree (full_name)"


@pytest.fixture
def deployed(pg_server: Server) -> Iterator[str]:
    """A database the demo's migrations were run on with plain Alembic, as in production."""
    with scratch_database(pg_server) as url:
        sa_url = make_url(url).set(drivername="postgresql+psycopg")
        engine = create_engine(sa_url, poolclass=NullPool)
        alembic_config = AlembicConfig(str(ROOT / "alembic.ini"))
        # connect(), not begin(): env.py's transaction is Alembic's, which an
        # autocommit block (a concurrent index) commits on its way.
        with engine.connect() as connection, working_directory(ROOT):
            alembic_config.attributes["connection"] = connection
            command.upgrade(alembic_config, "head")
            connection.commit()
        engine.dispose()
        yield url


def _counts(url: str) -> list[tuple[str, int]]:
    with psycopg.connect(url) as connection:
        tables = [
            row[0]
            for row in connection.execute(
                "SELECT relname FROM pg_class WHERE relkind = 'r' AND relnamespace = "
                "'public'::regnamespace ORDER BY relname"
            )
        ]
        return [
            (table, connection.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0])  # type: ignore[index]
            for table in tables
        ]


@pytest.mark.server
def test_live_database_is_checked_against_its_recorded_revision(
    deployed: str, url_config: Config
) -> None:
    with psycopg.connect(deployed, autocommit=True) as connection:
        connection.execute("CREATE INDEX ix_customers_name_by_hand ON customers (full_name)")
        connection.execute("ALTER TABLE value_models ALTER COLUMN unit SET DEFAULT 'USD'")
        connection.execute("ALTER TABLE deliveries DROP CONSTRAINT ck_deliveries_quantity_positive")
        connection.execute("ALTER TYPE commitment_status ADD VALUE 'paused'")
        connection.execute(
            "CREATE OR REPLACE VIEW commitment_progress AS SELECT c.id AS commitment_id, "
            "c.value_model_id, c.customer_id, c.status, c.target_value, "
            "0::numeric(12,2) AS delivered_value, 0::numeric AS percent_delivered, "
            "0::bigint AS delivery_count, NULL::date AS last_delivered_on FROM commitments c"
        )
    before_snapshot, recorded = sources.read_live(deployed)
    before_counts = _counts(deployed)
    config = replace(url_config, project_dir=ROOT)
    result = sources.compare_sources(config, deployed, None)
    head = load(config).heads()
    assert recorded == tuple(head)
    assert result.live
    assert result.old == f"migrations at {head[0]}"
    lines = render_all(result.differences)
    assert BY_HAND in lines
    assert (
        "~ column value_models.unit default: 'EUR'::character varying -> 'USD'::character varying"
    ) in lines
    assert (
        "- constraint ck_deliveries_quantity_positive on deliveries CHECK (quantity > 0::numeric)"
    ) in lines
    assert (
        "~ enum type commitment_status labels: ('draft', 'active', 'fulfilled', 'cancelled') "
        "-> ('draft', 'active', 'fulfilled', 'cancelled', 'paused')"
    ) in lines
    assert any(line.startswith("~ view commitment_progress definition: ") for line in lines)
    assert len(lines) == 5, lines
    document = comparison.as_dict(result)
    assert document["result"] == "different"
    assert document["differences"] == list(lines)
    (finding,) = document["findings"]
    assert list(finding) == ["code", "severity", "title", "revision", "message", "diff"]
    assert (finding["code"], finding["revision"]) == ("MC303", head[0])
    assert finding["diff"] == list(lines)
    (mc303,) = result.report.findings
    assert (mc303.code, mc303.changes) == (Code.MC303, result.differences)
    # Read only: the database is as it was, schema and rows.
    assert sources.read_live(deployed)[0] == before_snapshot
    assert _counts(deployed) == before_counts


@pytest.mark.server
def test_undrifted_database_diff_exits_0(
    deployed: str, url_config: Config, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["diff", deployed, "-c", str(ROOT / "alembic.ini"), "--backend", "url"]
    code = run([*args, "--url", str(url_config.urls[0]), "--format", "json"])
    out = capsys.readouterr().out
    assert code == 0, out
    document = json.loads(out)
    assert document["result"] == "equal"
    assert document["findings"] == []
    assert document["new"] == safe_url(deployed)


@pytest.mark.server
def test_live_database_diff_in_every_report_format(
    deployed: str, url_config: Config, capsys: pytest.CaptureFixture[str]
) -> None:
    """MC303 is a finding of a report: SARIF, JUnit, GitHub annotations and markdown
    write it as they write check's findings, located at the Alembic configuration."""
    with psycopg.connect(deployed, autocommit=True) as connection:
        connection.execute("CREATE INDEX ix_customers_name_by_hand ON customers (full_name)")
    head = load(replace(url_config, project_dir=ROOT)).heads()[0]
    ini = ROOT / "alembic.ini"
    args = ["diff", deployed, "-c", str(ini), "--backend", "url", "--url", str(url_config.urls[0])]
    outputs = {}
    for fmt in ("sarif", "junit", "github", "markdown"):
        code = run([*args, "--format", fmt])
        outputs[fmt] = capsys.readouterr().out
        assert code == 1, outputs[fmt]

    document = json.loads(outputs["sarif"])
    validator = jsonschema.validators.validator_for(SARIF_SCHEMA)
    validator(SARIF_SCHEMA, format_checker=validator.FORMAT_CHECKER).validate(document)
    (result,) = document["runs"][0]["results"]
    assert (result["ruleId"], result["level"]) == ("MC303", "error")
    assert result["properties"] == {"diff": [BY_HAND], "revision": head}
    location = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert location.endswith("alembic.ini")
    assert safe_url(deployed) in result["message"]["text"]

    root = ET.fromstring(outputs["junit"])
    (suite,) = root.iter("testsuite")
    assert (suite.get("name"), suite.get("tests"), suite.get("failures")) == (
        "live database",
        "1",
        "1",
    )
    failure = suite.find("testcase/failure")
    assert failure is not None
    assert failure.get("type") == "MC303"
    assert BY_HAND in (failure.text or "")

    assert "::error file=" in outputs["github"]
    assert "title=MC303 live database differs from the migrations (revision " in outputs["github"]
    assert outputs["markdown"].startswith("## migcheck: fail\n")
    assert "### MC303 error: live database differs from the migrations" in outputs["markdown"]
    password = make_url(deployed).password
    assert not password or str(password) not in "".join(outputs.values())


def test_unreachable_live_database_is_exit_3_without_password(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = run(["diff", "postgresql://app:s3cret@127.0.0.1:9/app"])
    err = capsys.readouterr().err
    assert code == 3
    assert "cannot connect to postgresql://app:***@127.0.0.1:9/app" in err
    assert "s3cret" not in err


@pytest.mark.server
def test_demo_snapshot_round_trips_at_every_revision(url_config: Config) -> None:
    config = replace(url_config, project_dir=ROOT)
    project = load(config)
    targets = [(r.id,) for r in project.revisions]
    for built in sources.at_revisions(config, project, targets):
        text = built.to_json()
        loaded = Snapshot.from_json(text)
        assert loaded == built
        assert loaded.to_json() == text
        assert sources.compare(built, loaded, canonical=True) == ()


@pytest.mark.server
def test_revisions_diff_on_the_command_line(
    url_config: Config, capsys: pytest.CaptureFixture[str]
) -> None:
    project = load(replace(url_config, project_dir=ROOT))
    before_last = project.revisions[-2].id
    common = ["-c", str(ROOT / "alembic.ini"), "--backend", "url"]
    code = run(["diff", "head-1", "head", *common, "--url", str(url_config.urls[0])])
    out = capsys.readouterr().out
    assert code == 1
    assert out.splitlines()[:2] == ["--- head-1", "+++ head"]
    assert "+ column customers.external_ref character varying(40)" in out
    code = run(["diff", before_last, "head-1", *common, "--url", str(url_config.urls[0])])
    assert code == 0
    assert "no differences" in capsys.readouterr().out


def test_references_resolve() -> None:
    project = load(Config(project_dir=ROOT))
    head = project.heads()[0]
    assert sources.resolve(project, "head") == (head,)
    assert sources.resolve(project, "base") == ()
    assert sources.resolve(project, "head-1") == project.get(head).parents
    assert sources.resolve(project, head[:5]) == (head,)
    merge = next(r for r in project.revisions if len(r.parents) == 2)
    child = next(r for r in project.revisions if merge.id in r.parents)
    with pytest.raises(UsageError, match="is a merge of"):
        sources.resolve(project, f"{child.id}-2")


def test_narrow_keeps_schemas_and_drops_tables_with_their_parts() -> None:
    snapshot = make_snapshot(
        [
            (Key("table", "public", "tmp_load"), {}),
            (Key("column", "public", "id", "tmp_load"), {}),
            (Key("table", "public", "users"), {}),
            (Key("table", "audit", "log"), {}),
        ]
    )
    kept = sources.narrow(snapshot, schemas=["public"], exclude_tables=["tmp_*"])
    assert [obj.key for obj in kept.objects] == [Key("table", "public", "users")]
    kept = sources.narrow(snapshot, exclude_tables=["audit.*"])
    assert Key("table", "audit", "log") not in [obj.key for obj in kept.objects]


@pytest.mark.server
def test_snapshot_sources_revision_file_and_live_database(
    deployed: str, url_config: Config, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--url` is the server revisions are built on, as for check; a live database is
    snapshotted by naming it as the source."""
    saved = tmp_path / "schema.json"
    args = ["-c", str(ROOT / "alembic.ini"), "--backend", "url", "--url", str(url_config.urls[0])]
    assert run(["snapshot", "head", *args, "-o", str(saved)]) == 0
    built = Snapshot.from_json(saved.read_text())
    capsys.readouterr()
    assert run(["snapshot", deployed, "--format", "json"]) == 0
    live = Snapshot.from_json(capsys.readouterr().out)
    assert live == sources.read_live(deployed)[0]
    assert sources.compare(built, live, canonical=True) == ()
    assert run(["snapshot", str(saved), "--format", "json"]) == 0
    assert Snapshot.from_json(capsys.readouterr().out) == built


def test_server_url_is_now_url(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["diff", "head", "--server-url", "postgresql://h/db"]) == 2
    assert "No such option '--server-url'" in capsys.readouterr().err


@pytest.mark.server
def test_a_live_database_is_compared_with_migrations_built_on_its_version(
    pg_servers: Servers, capsys: pytest.CaptureFixture[str]
) -> None:
    """Production on 16, migcheck's newest local binaries 18: diff builds on 16, unless
    --pg names another version."""
    (url,) = pg_servers.urls(16)
    args = ["diff", "-c", str(ROOT / "alembic.ini"), "--backend", "local"]
    with scratch_database(Server(url, 16, "16", "local")) as live:
        assert run([*args, live]) == 0
        assert capsys.readouterr().out.splitlines()[0] == (
            "--- migrations at base (built on PostgreSQL 16)"
        )
        assert run([*args, live, "--pg", "18"]) == 0
        assert capsys.readouterr().out.splitlines()[0] == (
            "--- migrations at base (built on PostgreSQL 18)"
        )
