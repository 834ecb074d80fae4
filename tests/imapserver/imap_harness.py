"""Harness for the IMAP server tests: a small province and real IMAP listeners on 127.0.0.1 (with the
installation's self-signed certificate).

The province is built once per backend because every account costs an argon2 hash: Sở TT&TT (H19.04, agency
mailbox ``stttt@``) with people ``nvan``, ``ttbinh`` (clerk of H19.04, so a delegate of ``stttt@``), ``lvcuong``
(clerk too, used by the test that removes a delegate) and ``phdung`` (for sign-in failures). Tests keep out of
each other's way by working in folders of their own (:meth:`Province.fresh_folder`) and telling messages apart
by a unique token.

Listeners are started per test on ephemeral ports with the real mail store, sign-in service and usage recorder.
Clients that block (imaplib, IMAPClient, mbsync, mutt) run in threads; :class:`Wire` is a raw asyncio client for
transcript tests.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import secrets
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from congvu.access.service import Access
from congvu.config.settings import DataDir
from congvu.imapserver import ImapLimits, ImapListeners, ImapServices, start_imap_listeners
from congvu.installation import Installation
from congvu.installation.create import create_installation
from congvu.mailstore.aio import AsyncMailStore

DOMAIN = "dongnai.gov.vn"
PASSWORD = "Matkhau@2026"
BACKENDS = [b.strip() for b in os.environ.get("CONGVU_TEST_BACKENDS", "sqlite,postgresql").split(",") if b.strip()]
TEST_LIMITS = ImapLimits(auth_failure_delay_s=0.0, shared_rights_check_s=0.3)


@dataclass(frozen=True)
class Province:
    inst: Installation
    backend: str
    ids: dict[str, int]

    def address(self, who: str) -> str:
        return who if "@" in who else f"{who}@{DOMAIN}"

    def id(self, who: str) -> int:
        return self.ids[self.address(who)]

    def fresh_folder(self, who: str, prefix: str = "t") -> str:
        """A new empty folder of ``who`` with a unique name (ASCII, so every client can name it)."""
        name = f"{prefix}-{secrets.token_hex(4)}"
        self.inst.mailstore.create_folder(self.id(who), name)
        return name

    def deliver(self, who: str, raw: bytes, folder: str | None = None) -> int:
        """Local delivery (as SMTP does); the new UID."""
        result = self.inst.mailstore.deliver(raw, [self.id(who)], folder=folder)
        return result.deliveries[0].uid


def _populate(inst: Installation) -> dict[str, int]:
    d = inst.directory
    d.agencies.add(code="H19", name="Ủy ban nhân dân tỉnh Đồng Nai", short_name="UBND", level="province")
    d.agencies.add(code="H19.04", name="Sở Thông tin và Truyền thông", short_name="STTTT", level="department",
                   parent="H19", mailbox="stttt")
    d.accounts.add(full_name="Nguyễn Văn An", agency="H19.04", address=f"nvan@{DOMAIN}", password=PASSWORD)
    d.accounts.add(full_name="Trần Thị Bình", agency="H19.04", address=f"ttbinh@{DOMAIN}", password=PASSWORD,
                   roles=["clerk"])
    d.accounts.add(full_name="Lê Văn Cường", agency="H19.04", address=f"lvcuong@{DOMAIN}", password=PASSWORD,
                   roles=["clerk"])
    d.accounts.add(full_name="Phạm Hữu Dũng", agency="H19.04", address=f"phdung@{DOMAIN}", password=PASSWORD)
    ids = {}
    for who in ("nvan", "ttbinh", "lvcuong", "phdung", "stttt"):
        account = d.accounts.show(f"{who}@{DOMAIN}")
        ids[account.address] = account.id
        inst.mailstore.ensure_default_folders(account.id)
    return ids


@pytest.fixture(scope="session", params=BACKENDS)
def province(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Province]:
    url = None
    if request.param == "postgresql":
        import psycopg

        base = request.getfixturevalue("pg_database")
        schema = f"imap_{secrets.token_hex(5)}"
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(f'CREATE SCHEMA "{schema}"')
        url = f"{base}?options=-csearch_path%3D{schema}"
    data = DataDir(tmp_path_factory.mktemp(f"imap-{request.param}") / "data")
    created = create_installation(data, domain=DOMAIN, org_name="UBND tỉnh Đồng Nai", admin_password=PASSWORD,
                                  database_url=url)
    inst = created.installation
    try:
        yield Province(inst, str(request.param), _populate(inst))
    finally:
        inst.close()


@dataclass
class ImapServer:
    province: Province
    listeners: ImapListeners
    services: ImapServices

    @property
    def cafile(self) -> str:
        return str(self.province.inst.settings.tls_cert)

    def tls_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(cafile=self.cafile)
        context.check_hostname = False  # the certificate names mail.<domain>; tests connect to 127.0.0.1
        return context

    def imaplib(self, who: str | None = None):  # type: ignore[no-untyped-def]
        """An imaplib client over IMAPS, signed in as ``who`` when given (call from a thread)."""
        import imaplib

        client = imaplib.IMAP4_SSL("127.0.0.1", self.listeners.imaps_port, ssl_context=self.tls_context())
        if who is not None:
            client.login(self.province.address(who), PASSWORD)
        return client

    def imapclient(self, who: str | None = None):  # type: ignore[no-untyped-def]
        """An IMAPClient over IMAPS, signed in as ``who`` when given (call from a thread)."""
        from imapclient import IMAPClient

        client = IMAPClient("127.0.0.1", port=self.listeners.imaps_port, ssl=True, ssl_context=self.tls_context(),
                            timeout=20)
        if who is not None:
            client.login(self.province.address(who), PASSWORD)
        return client

    async def wire(self, *, tls: bool = True) -> Wire:
        port = self.listeners.imaps_port if tls else self.listeners.imap_port
        reader, writer = await asyncio.open_connection("127.0.0.1", port,
                                                       ssl=self.tls_context() if tls else None)
        client = Wire(reader, writer, self)
        client.greeting = await client.line()
        return client


ServerFactory = Callable[..., Awaitable[ImapServer]]


@pytest.fixture
async def start_server(province: Province) -> AsyncIterator[ServerFactory]:
    """Starts listeners with the real services; ``limits`` replaces :data:`TEST_LIMITS`."""
    started: list[ImapServer] = []

    async def start(limits: ImapLimits = TEST_LIMITS) -> ImapServer:
        inst = province.inst
        services = ImapServices(mailstore=AsyncMailStore(inst.mailstore, inst.mailstore.notifier, max_workers=4),
                                signin=Access(inst.directory).signin, usage=inst.usage, limits=limits)
        listeners = await start_imap_listeners(inst, host="127.0.0.1", imap_port=-1, imaps_port=-1,
                                               services=services)
        server = ImapServer(province, listeners, services)
        started.append(server)
        return server

    yield start
    for server in started:
        await server.listeners.close()
        await asyncio.to_thread(server.services.mailstore.close)


@pytest.fixture
async def server(start_server: ServerFactory) -> ImapServer:
    return await start_server()


_LITERAL = re.compile(rb"\{(\d+)\}\r\n$")


class Wire:
    """A raw IMAP client for transcript tests: it sends exactly what the test says and returns responses as
    logical lines (literals included)."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, server: ImapServer) -> None:
        self.reader = reader
        self.writer = writer
        self.server = server
        self.greeting = b""
        self._tags = 0

    async def line(self, timeout: float = 10) -> bytes:
        """One logical response line (a literal's bytes are read into it), CRLF included."""
        out = b""
        while True:
            part = await asyncio.wait_for(self.reader.readline(), timeout)
            if not part:
                return out
            out += part
            match = _LITERAL.search(part)
            if match is None:
                return out
            out += await asyncio.wait_for(self.reader.readexactly(int(match.group(1))), timeout)

    async def send(self, data: bytes | str) -> None:
        self.writer.write(data.encode() if isinstance(data, str) else data)
        await self.writer.drain()

    def tag(self) -> str:
        self._tags += 1
        return f"a{self._tags}"

    async def until_tagged(self, tag: str, timeout: float = 10) -> list[bytes]:
        lines = []
        while True:
            line = await self.line(timeout)
            if not line:
                raise ConnectionError(f"connection closed before {tag} completed: {lines!r}")
            lines.append(line)
            if line.startswith(tag.encode() + b" "):
                return lines

    async def command(self, text: str | bytes, timeout: float = 10) -> list[bytes]:
        tag = self.tag()
        body = text.encode() if isinstance(text, str) else text
        await self.send(tag.encode() + b" " + body + b"\r\n")
        return await self.until_tagged(tag, timeout)

    async def login(self, who: str) -> list[bytes]:
        return await self.command(f'LOGIN {self.server.province.address(who)} "{PASSWORD}"')

    async def close(self) -> None:
        self.writer.close()
        with contextlib.suppress(ConnectionError, ssl.SSLError):
            await self.writer.wait_closed()


def tagged(lines: list[bytes]) -> bytes:
    """The tagged status line of a command's responses."""
    return lines[-1]


def samples_dir() -> Path:
    return Path(__file__).parent
