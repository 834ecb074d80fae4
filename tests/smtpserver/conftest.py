"""A small province and real SMTP listeners on 127.0.0.1 for the SMTP server tests.

The province (one per backend, shared by the SMTP tests because each signed-in account costs an argon2 hash):
UBND tỉnh (H19, mailbox ``ubnd@``), Sở TT&TT (H19.04, ``stttt@``) and Sở Nội vụ (H19.18, ``snv@``); people
vinhtv (H19), lannt (clerk of H19.04, so a delegate of ``stttt@``), antt (disabled), binhlv (removed); alias
``lanhdao@`` → vinhtv, lannt; alias ``lan.cu@`` → lannt (an old address); rule group ``cacso@`` (every
department's mailbox). Tests tell their messages apart by a unique token.

Listeners are started per test on ephemeral ports with the real mail store, sign-in service (fresh throttle),
outbound queue and usage recorder; inbound SPF/DKIM/DMARC is off unless a test installs a checker.
"""

from __future__ import annotations

import asyncio
import os
import secrets
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace

import pytest
from smtp_harness import DOMAIN, PASSWORD, TEST_LIMITS, Province, ServerFactory, SmtpServer

from congvu.access.service import Access
from congvu.config.settings import DataDir
from congvu.delivery.queue import OutboundQueue
from congvu.installation import Installation
from congvu.installation.create import create_installation
from congvu.mailstore.aio import AsyncMailStore
from congvu.smtpserver import start_smtp_listeners
from congvu.smtpserver.seams import SmtpServices
from congvu.smtpserver.settings import MailPolicy

BACKENDS = [b.strip() for b in os.environ.get("CONGVU_TEST_BACKENDS", "sqlite,postgresql").split(",") if b.strip()]


def _populate(inst: Installation) -> dict[str, int]:
    d = inst.directory
    d.agencies.add(code="H19", name="Ủy ban nhân dân tỉnh Đồng Nai", short_name="UBND", level="province",
                   mailbox="ubnd")
    d.agencies.add(code="H19.04", name="Sở Thông tin và Truyền thông", short_name="STTTT", level="department",
                   parent="H19", mailbox="stttt")
    d.agencies.add(code="H19.18", name="Sở Nội vụ", short_name="SNV", level="department", parent="H19",
                   mailbox="snv")
    d.accounts.add(full_name="Trần Văn Vinh", agency="H19", address=f"vinhtv@{DOMAIN}", password=PASSWORD)
    d.accounts.add(full_name="Nguyễn Thị Lan", agency="H19.04", address=f"lannt@{DOMAIN}", password=PASSWORD,
                   roles=["clerk"])
    d.accounts.add(full_name="Trần Thị An", agency="H19.18", address=f"antt@{DOMAIN}", password=PASSWORD)
    d.accounts.add(full_name="Lê Văn Bình", agency="H19.18", address=f"binhlv@{DOMAIN}", password=PASSWORD)
    d.accounts.disable(f"antt@{DOMAIN}", reason="Nghỉ phép dài hạn")
    d.accounts.remove(f"binhlv@{DOMAIN}", reason="Nghỉ hưu")
    d.aliases.add(f"lanhdao@{DOMAIN}", [f"vinhtv@{DOMAIN}", f"lannt@{DOMAIN}"], allow_reserved=True)
    d.aliases.add(f"lan.cu@{DOMAIN}", [f"lannt@{DOMAIN}"])
    d.groups.add(f"cacso@{DOMAIN}", "Các sở, ban, ngành", rule="level=department")
    ids: dict[str, int] = {}
    for kind in ("person", "agency", "system"):
        for account in d.accounts.list(kind=kind, status=None):
            ids[account.address] = account.id
    return ids


@pytest.fixture(scope="session", params=BACKENDS)
def province(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Province]:
    url = None
    if request.param == "postgresql":
        import psycopg

        base = request.getfixturevalue("pg_database")
        schema = f"smtp_{secrets.token_hex(5)}"
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(f'CREATE SCHEMA "{schema}"')
        url = f"{base}?options=-csearch_path%3D{schema}"
    data = DataDir(tmp_path_factory.mktemp(f"smtp-{request.param}") / "data")
    created = create_installation(data, domain=DOMAIN, org_name="UBND tỉnh Đồng Nai", admin_password=PASSWORD,
                                  database_url=url)
    inst = created.installation
    try:
        yield Province(inst, str(request.param), _populate(inst))
    finally:
        inst.close()


@pytest.fixture
async def start_server(province: Province) -> AsyncIterator[ServerFactory]:
    """Starts listeners with the real services; keyword arguments replace parts of :class:`SmtpServices`."""
    started: list[SmtpServer] = []

    async def start(**parts: object) -> SmtpServer:
        inst = province.inst
        services = SmtpServices(
            mailstore=AsyncMailStore(inst.mailstore, inst.mailstore.notifier, max_workers=4),
            signin=Access(inst.directory).signin, limits=TEST_LIMITS,
            policy=MailPolicy(hold_mailbox=f"postmaster@{DOMAIN}"), outbound=OutboundQueue(inst), usage=inst.usage)
        if parts:
            services = replace(services, **parts)  # type: ignore[arg-type]
        listeners = await start_smtp_listeners(inst, host="127.0.0.1", smtp_port=-1, submission_port=-1,
                                               smtps_port=-1, services=services)
        server = SmtpServer(province, listeners, services)
        started.append(server)
        return server

    yield start
    for server in started:
        await server.listeners.close()
        await asyncio.to_thread(server.services.mailstore.close)


@pytest.fixture
async def server(start_server: ServerFactory) -> SmtpServer:
    return await start_server()
