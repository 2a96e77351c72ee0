"""URLs parsed once and written back for libpq and SQLAlchemy: what each reads back is
what the user wrote, byte for byte; masked text never holds the password."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from psycopg.conninfo import conninfo_to_dict
from sqlalchemy.engine import make_url

from migcheck import urls

PASSWORDS = [
    "p@ss:w/rd%?&=#x y",
    "a+b c'd\"e\\f;g,h[i]{j}<k>!$^*()~`|",
    "%41%zz%",
    "ünï©ødé ß €",
]


@pytest.mark.parametrize("password", PASSWORDS)
def test_every_password_reaches_libpq_and_sqlalchemy_unchanged(password: str) -> None:
    written = f"postgresql://app:{quote(password, safe='')}@db.internal:6543/shop?sslmode=require"
    parsed = urls.parse(written)

    assert parsed.password == password
    assert conninfo_to_dict(parsed.libpq())["password"] == password
    read = make_url(parsed.with_driver("psycopg2").with_database("migcheck_1").sqlalchemy())
    assert (read.password, read.username, read.host, read.port, read.database) == (
        password,
        "app",
        "db.internal",
        6543,
        "migcheck_1",
    )
    assert dict(read.query) == {"sslmode": "require"}
    assert password not in parsed.masked()


def test_options_parameter_survives_both_readers() -> None:
    parsed = urls.parse("postgresql://u@h/d?options=-c%20search_path%3Dapp%2Bx")

    assert conninfo_to_dict(parsed.libpq())["options"] == "-c search_path=app+x"
    assert make_url(parsed.sqlalchemy()).query["options"] == "-c search_path=app+x"


def test_unix_socket_folder_goes_to_a_host_parameter_for_sqlalchemy() -> None:
    parsed = urls.parse("postgresql://postgres@/postgres?host=/tmp/migcheck-pg16-x&port=5433")
    moved = urls.parse("postgresql://postgres@%2Ftmp%2Fsock:5433/postgres")

    assert (parsed.host, parsed.port) == ("/tmp/migcheck-pg16-x", 5433)
    assert make_url(moved.sqlalchemy()).query == {"host": "/tmp/sock", "port": "5433"}
    assert conninfo_to_dict(moved.libpq())["host"] == "/tmp/sock"


def test_hosts_ipv6_and_several() -> None:
    parsed = urls.parse("postgresql://[::1]:5432,replica:5433/db")

    assert parsed.hosts == (("::1", 5432), ("replica", 5433))
    assert conninfo_to_dict(parsed.libpq())["host"] == "::1,replica"


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("not a url", "'not a url' is not a URL (write postgresql://user@host:port/database)"),
        (
            "postgresql://u:secret@h:port/d",
            "'postgresql://u:***@h:port/d': the port 'port' is not a number",
        ),
        ("postgresql://u:secret@[::1/d", "'postgresql://u:***@[::1/d': '[::1' is no host[:port]"),
    ],
)
def test_no_url_is_said_without_the_password(text: str, error: str) -> None:
    with pytest.raises(urls.UrlError) as raised:
        urls.parse(text)
    assert str(raised.value) == error


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("postgresql://u:p@ss w@h/d?password=x&a=1", "postgresql://u:***@h/d?password=***&a=1"),
        ("postgresql//user:p@ss w@host", "postgresql//user:***@host"),
        ("user:secret@host", "user:***@host"),
        ("host=h password='a b' user=u", "host=h password=*** user=u"),
        ("postgresql://u@h:port/d", "postgresql://u@h:port/d"),
        ("postgresql://u@h/d", "postgresql://u@h/d"),
    ],
)
def test_mask(text: str, masked: str) -> None:
    assert urls.mask(text) == masked
