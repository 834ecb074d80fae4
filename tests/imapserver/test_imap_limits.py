"""Limits, timeouts, sign-in throttling shared with SMTP, and usage events."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from imap_harness import PASSWORD, TEST_LIMITS, ImapServer, Province, ServerFactory, tagged
from imap_samples import token
from sqlalchemy import select

from congvu.access.service import Access
from congvu.imapserver import ImapServices, start_imap_listeners
from congvu.mailstore.aio import AsyncMailStore
from congvu.security.throttle import SignInThrottle
from congvu.store.schema import usage_events


async def test_connections_per_account_and_per_address(start_server: ServerFactory) -> None:
    server = await start_server(replace(TEST_LIMITS, max_connections_per_account=2, max_connections_per_address=3))
    first, second, third = server.wire(), server.wire(), server.wire()
    clients = [await first, await second, await third]
    for client in clients[:2]:
        assert tagged(await client.login("nvan")).split(b" ")[1] == b"OK"
    refused = await clients[2].login("nvan")
    assert b"NO [LIMIT]" in tagged(refused)
    fourth = await server.wire()
    assert fourth.greeting.startswith(b"* BYE [UNAVAILABLE]")
    await clients[0].command("LOGOUT")
    await clients[0].close()
    for _ in range(40):
        if server.listeners.connection_count == 2:
            break
        await asyncio.sleep(0.05)
    assert tagged(await clients[2].login("nvan")).split(b" ")[1] == b"OK"
    for client in clients[1:]:
        await client.close()


async def test_autologout_before_and_after_sign_in(start_server: ServerFactory) -> None:
    server = await start_server(replace(TEST_LIMITS, preauth_timeout_s=0.3, autologout_s=0.6))
    anonymous = await server.wire()
    assert (await anonymous.line(timeout=3)).startswith(b"* BYE")
    signed_in = await server.wire()
    await signed_in.login("nvan")
    await signed_in.command("SELECT INBOX")
    await signed_in.send(b"i1 IDLE\r\n")
    assert await signed_in.line() == b"+ idling\r\n"
    bye = await signed_in.line(timeout=3)
    assert bye.startswith(b"* BYE") and b"Autologout" in bye
    assert await signed_in.line() == b""


async def test_sign_in_throttle_is_shared_with_smtp(province: Province) -> None:
    throttle = SignInThrottle()
    access = Access(province.inst.directory, throttle=throttle)
    services = ImapServices(mailstore=AsyncMailStore(province.inst.mailstore, province.inst.mailstore.notifier),
                            signin=access.signin, limits=TEST_LIMITS)
    listeners = await start_imap_listeners(province.inst, host="127.0.0.1", imap_port=0, imaps_port=-1,
                                           services=services)
    try:
        server = ImapServer(province, listeners, services)
        address = province.address("phdung")
        for _ in range(3):  # failed SMTP AUTH attempts count too
            await asyncio.to_thread(access.signin.mail_client, address, "wrong", ip="127.0.0.1", protocol="smtp")
        wire = await server.wire()
        for _ in range(2):
            assert b"NO [AUTHENTICATIONFAILED]" in tagged(await wire.command(f'LOGIN {address} "nope"'))
        locked = await wire.command(f'LOGIN {address} "{PASSWORD}"')
        assert b"NO [UNAVAILABLE]" in tagged(locked)
        assert tagged(await wire.login("nvan")).split(b" ")[1] == b"OK"  # other accounts are not locked
        await wire.close()
    finally:
        await listeners.close()
        await asyncio.to_thread(services.mailstore.close)


async def test_usage_events_for_login_and_inbox_looks(server: ImapServer) -> None:
    province = server.province
    client_name = f"Kiểm thử {token()}"
    wire = await server.wire()
    await wire.command(f'ID ("name" "{client_name}" "version" "1.0")'.encode())
    await wire.login("ttbinh")
    await wire.command("STATUS INBOX (MESSAGES)")
    await wire.command("EXAMINE INBOX")
    await wire.send(b"i1 IDLE\r\n")
    assert await wire.line() == b"+ idling\r\n"
    await wire.send(b"DONE\r\n")
    await wire.until_tagged("i1")
    await wire.command("LOGOUT")
    await wire.close()
    await asyncio.to_thread(province.inst.usage.flush)
    with province.inst.db.read() as conn:
        rows = conn.execute(select(usage_events).where(usage_events.c.account_id == province.id("ttbinh"),
                                                       usage_events.c.protocol == "imap")
                            .order_by(usage_events.c.id)).all()
    logins = [r for r in rows if r.kind == "login" and r.detail.get("client_name") == client_name]
    assert len(logins) == 1 and logins[0].detail["tls"] is True and logins[0].detail["client_version"] == "1.0"
    looks = [r.detail["command"] for r in rows if r.kind == "inbox_check" and r.id > logins[0].id]
    assert looks[:3] == ["STATUS", "EXAMINE", "IDLE"]
