"""PostgreSQL URLs: the user's, and the ones migcheck builds from them.

A URL is parsed into its decoded parts once and written back with every part
percent-encoded, so that any password PostgreSQL accepts reaches the server byte for byte,
whether libpq (migcheck's own connections) or SQLAlchemy (the project's) reads the URL.
The two read URLs differently: SQLAlchemy decodes the user and password but not the
database name, and decodes ``+`` in the query as a space; libpq decodes every part and
keeps ``+``. Writing ``%XX`` for everything but letters and digits satisfies both.
No part of migcheck's process needs SQLAlchemy to read a URL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from urllib.parse import quote, unquote

_SCHEME = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.\-]*)://(?P<rest>.*)", re.DOTALL)
_HOST = re.compile(
    r"\[(?P<v6>[^\]]*)\](?::(?P<v6port>[^:]*))?"  # [::1]:5432
    r"|(?P<host>[^:\[\]]*)(?::(?P<port>.*))?"
)
POSTGRES_SCHEMES = ("postgresql", "postgres")


class UrlError(ValueError):
    """Text that is no URL migcheck can use; the message never holds the password."""


@dataclass(frozen=True, slots=True)
class Url:
    """A PostgreSQL URL's parts, decoded (``None``: not written)."""

    scheme: str
    user: str | None = None
    password: str | None = None
    hosts: tuple[tuple[str, int | None], ...] = ()
    database: str | None = None
    query: tuple[tuple[str, str], ...] = ()

    @property
    def backend(self) -> str:
        """``postgresql`` for ``postgresql+psycopg2``: the database, not the driver."""
        return self.scheme.partition("+")[0].lower()

    @property
    def driver(self) -> str | None:
        return self.scheme.partition("+")[2] or None

    def param(self, name: str) -> str | None:
        return next((value for key, value in self.query if key == name), None)

    @property
    def host(self) -> str | None:
        """The first host: written before the database, else a ``host=`` parameter."""
        if self.hosts and self.hosts[0][0]:
            return self.hosts[0][0]
        return self.param("host")

    @property
    def port(self) -> int | None:
        if self.hosts and self.hosts[0][1] is not None:
            return self.hosts[0][1]
        written = self.param("port")
        return int(written) if written and written.isdigit() else None

    def with_database(self, database: str) -> Url:
        return replace(self, database=database)

    def with_driver(self, driver: str | None) -> Url:
        return replace(self, scheme=f"{self.backend}+{driver}" if driver else self.backend)

    def libpq(self) -> str:
        """For libpq (psycopg): ``postgresql://``, every part encoded."""
        hosts = ",".join(_host(host, port) for host, port in self.hosts)
        database = _encode(self.database) if self.database is not None else ""
        return self._write("postgresql", hosts, database, self.query, self.password)

    def sqlalchemy(self) -> str:
        """For SQLAlchemy 1.3 to 2.x with this URL's driver. A Unix socket folder or several
        hosts go into ``host=`` parameters, which SQLAlchemy hands to the driver; the
        database name is written as is (SQLAlchemy does not decode it)."""
        query = self.query
        hosts = ""
        if len(self.hosts) == 1 and not self.hosts[0][0].startswith("/"):
            hosts = _host(*self.hosts[0])
        elif len(self.hosts) == 1:
            folder, port = self.hosts[0]
            query = (("host", folder), *((("port", str(port)),) if port else ()), *query)
        elif self.hosts:
            query = (*(("host", _host(h, p, encode=False)) for h, p in self.hosts), *query)
        return self._write(self.scheme, hosts, self.database or "", query, self.password)

    def masked(self) -> str:
        """For messages: the password (in the userinfo or a parameter) as ``***``."""
        hosts = ",".join(_host(host, port) for host, port in self.hosts)
        database = _encode(self.database) if self.database is not None else ""
        return self._write(self.scheme, hosts, database, self.query, None, masked=True)

    def _write(
        self,
        scheme: str,
        hosts: str,
        database: str,
        query: tuple[tuple[str, str], ...],
        password: str | None,
        *,
        masked: bool = False,
    ) -> str:
        userinfo = ""
        if self.user is not None or self.password is not None:
            userinfo = _encode(self.user or "")
            if masked and self.password is not None:
                userinfo += ":***"
            elif password is not None:
                userinfo += ":" + _encode(password)
            userinfo += "@"
        text = f"{scheme}://{userinfo}{hosts}"
        if database or query:
            text += f"/{database}"
        if query:
            # A folder's slashes stay as they are (a query may hold them): env.py can then
            # put a socket URL into its Alembic configuration, whose ConfigParser takes %
            # for interpolation.
            text += "?" + "&".join(
                f"{_encode(k)}={'***' if masked and k == 'password' else _encode(v, safe='/')}"
                for k, v in query
            )
        return text


def parse(text: str) -> Url:
    """The parts of ``text``; UrlError (password masked) when it is no URL."""
    found = _SCHEME.fullmatch(text.strip())
    if found is None:
        raise UrlError(
            f"{_scrub(text)!r} is not a URL (write postgresql://user@host:port/database)"
        )
    rest, _, written_query = found["rest"].partition("?")
    # The userinfo ends at the last @ before the query: passwords in hand-written URLs
    # carry unencoded @ and / often enough, and neither may start a host.
    userinfo, at, rest = rest.rpartition("@")
    written_hosts, _, written_database = rest.partition("/")
    user, colon, password = userinfo.partition(":")
    hosts: list[tuple[str, int | None]] = []
    for written in written_hosts.split(",") if written_hosts else ():
        part = _HOST.fullmatch(written)
        if part is None:
            raise UrlError(f"{_scrub(text)!r}: {written!r} is no host[:port]")
        host = part["v6"] if part["v6"] is not None else _decode(part["host"] or "")
        port = part["v6port"] if part["v6"] is not None else part["port"]
        if port is not None and not port.isdigit():
            raise UrlError(f"{_scrub(text)!r}: the port {port!r} is not a number")
        hosts.append((host, int(port) if port else None))
    query = []
    for pair in written_query.split("&") if written_query else ():
        key, _, value = pair.partition("=")
        query.append((_decode(key), _decode(value)))
    return Url(
        scheme=found["scheme"],
        user=_decode(user) if at else None,
        password=_decode(password) if colon else None,
        hosts=tuple(hosts),
        database=_decode(written_database) if written_database else None,
        query=tuple(query),
    )


def mask(text: str) -> str:
    """``text`` for a message, with anything that may be a password as ``***``: the
    parsed URL's when it is one, else whatever stands where passwords stand
    (``user:secret@``, ``password=secret``), however mistyped the rest is."""
    try:
        return parse(text).masked()
    except UrlError:
        return _scrub(text)


def _scrub(text: str) -> str:
    # Up to the line's last @: an unencoded @ or space in a password must not end it.
    masked = re.sub(r"((?:^|//)[^/@:\s]*):(?!/).*@", r"\1:***@", text)
    return re.sub(r"(password\s*=\s*)('[^']*'|[^&\s]*)", r"\1***", masked, flags=re.IGNORECASE)


def _decode(text: str) -> str:
    return unquote(text, errors="surrogateescape")


def _encode(text: str, *, safe: str = "") -> str:
    return quote(text, safe=safe, errors="surrogateescape")


def _host(host: str, port: int | None, *, encode: bool = True) -> str:
    written = f"[{host}]" if ":" in host else (_encode(host) if encode else host)
    return f"{written}:{port}" if port is not None else written
