"""Limits and their refusals: message size, recipients per message, sign-in failures, connections and messages
per client; each refusal says why."""

from __future__ import annotations

import asyncio
import base64
from dataclasses import replace

from smtp_harness import DOMAIN, PASSWORD, TEST_LIMITS, Province, RawClient, ServerFactory, SmtpServer, token

from congvu.access.service import Access
from congvu.security.throttle import SignInThrottle, ThrottlePolicy


async def _greeted(port: int) -> RawClient:
    client = await RawClient.connect(port)
    assert (await client.reply()).startswith("220 ")
    assert (await client.command("EHLO tester.example")).startswith("250")
    return client


async def test_message_size_limit(server: SmtpServer) -> None:
    limit = TEST_LIMITS.max_message_bytes
    client = await _greeted(server.mx)
    try:
        declared = await client.command(f"MAIL FROM:<a@example.org> SIZE={limit + 1}")
        assert declared.startswith("552 5.3.4")
        assert (await client.command("MAIL FROM:<a@example.org>")).startswith("250 2.1.0")
        assert (await client.command(f"RCPT TO:<vinhtv@{DOMAIN}>")).startswith("250 2.1.5")
        assert (await client.command("DATA")).startswith("354")
        tag = token()
        line = b"x" * 900 + b"\r\n"
        await client.send(f"Subject: {tag}\r\n\r\n".encode() + line * (limit // len(line) + 10) + b".\r\n")
        too_big = await client.reply()
        assert too_big.startswith("552 5.3.4") and f"at most {limit} octets" in too_big
        # The connection goes on; the refused message left nothing behind.
        assert (await client.command("MAIL FROM:<a@example.org>")).startswith("250 2.1.0")
        assert (await client.command("QUIT")).startswith("221")
    finally:
        await client.close()
    assert server.province.find("vinhtv", tag) == []


async def test_recipients_per_message(start_server: ServerFactory) -> None:
    server = await start_server(limits=replace(TEST_LIMITS, max_recipients=2))
    client = await _greeted(server.mx)
    tag = token()
    try:
        await client.command("MAIL FROM:<a@example.org>")
        assert (await client.command(f"RCPT TO:<vinhtv@{DOMAIN}>")).startswith("250")
        assert (await client.command(f"RCPT TO:<lannt@{DOMAIN}>")).startswith("250")
        third = await client.command(f"RCPT TO:<snv@{DOMAIN}>")
        assert third.startswith("452 4.5.3") and "at most 2" in third
        await client.command("DATA")
        await client.send(f"Subject: {tag}\r\n\r\nbody\r\n.\r\n".encode())
        assert (await client.reply()).startswith("250 2.0.0")
    finally:
        await client.close()
    assert [len(server.province.find(w, tag)) for w in ("vinhtv", "lannt", "snv")] == [1, 1, 0]


def _plain(password: str) -> str:
    return base64.b64encode(f"\0vinhtv@{DOMAIN}\0{password}".encode()).decode()


async def _tls_client(server: SmtpServer) -> RawClient:
    client = await RawClient.connect(server.smtps, tls=server.client_tls())
    await client.reply()
    await client.command("EHLO laptop")
    return client


async def test_repeated_auth_failures_are_refused_for_a_while(start_server: ServerFactory, province: Province) -> None:
    # The shared sign-in throttle, with a smaller account policy than production's to spare password hashing.
    throttle = SignInThrottle(account_policy=ThrottlePolicy(max_failures=3, window_s=900, lockout_s=300,
                                                            max_lockout_s=3600))
    server = await start_server(limits=replace(TEST_LIMITS, max_auth_failures_per_connection=2),
                                signin=Access(province.inst.directory, throttle=throttle).signin)
    first = await _tls_client(server)
    try:
        assert (await first.command(f"AUTH PLAIN {_plain('sai-1')}")).startswith("535 5.7.8")
        closing = await first.command(f"AUTH PLAIN {_plain('sai-2')}")
        assert closing.startswith("421 4.7.0") and "failed sign-in" in closing
        assert await first.at_eof()
    finally:
        await first.close()
    second = await _tls_client(server)
    try:
        assert (await second.command(f"AUTH PLAIN {_plain('sai-3')}")).startswith("535 5.7.8")
        # Locked: even the right password waits, and the reply says for how long.
        locked = await second.command(f"AUTH PLAIN {_plain(PASSWORD)}")
        assert locked.startswith("454 4.7.0") and "try again in" in locked
    finally:
        await second.close()


async def test_auth_login_mechanism(server: SmtpServer) -> None:
    client = await _tls_client(server)
    try:
        assert await client.command("AUTH LOGIN") == "334 " + base64.b64encode(b"Username:").decode()
        assert await client.command(base64.b64encode(f"vinhtv@{DOMAIN}".encode())) == \
            "334 " + base64.b64encode(b"Password:").decode()
        assert (await client.command(base64.b64encode(PASSWORD.encode()))).startswith("235 2.7.0")
    finally:
        await client.close()


async def test_connections_per_client(start_server: ServerFactory) -> None:
    server = await start_server(limits=replace(TEST_LIMITS, max_connections_per_ip=2))
    first, second = await _greeted(server.mx), await _greeted(server.submission)
    third = await RawClient.connect(server.mx)
    try:
        refused = await third.reply()
        assert refused.startswith("421 4.7.0") and "Too many connections from your address" in refused
        assert await third.at_eof()
        await first.command("QUIT")
        await first.close()
        fourth = await _greeted(server.mx)
        await fourth.close()
    finally:
        for client in (second, third):
            await client.close()


async def test_messages_per_client_and_per_account(start_server: ServerFactory) -> None:
    server = await start_server(limits=replace(TEST_LIMITS, max_messages_per_ip_per_hour=1,
                                               max_messages_per_account_per_hour=1))
    client = await _greeted(server.mx)
    try:
        for expected in ("250", "450 4.7.1"):
            reply = await client.command("MAIL FROM:<a@example.org>")
            assert reply.startswith(expected), reply
            if expected == "250":
                await client.command(f"RCPT TO:<snv@{DOMAIN}>")
                await client.command("DATA")
                await client.send(b"Subject: rate\r\n\r\nx\r\n.\r\n")
                assert (await client.reply()).startswith("250")
        assert "Too many messages from your address" in reply
    finally:
        await client.close()
    submit = await _tls_client(server)
    try:
        await submit.command(f"AUTH PLAIN {_plain(PASSWORD)}")
        assert (await submit.command(f"MAIL FROM:<vinhtv@{DOMAIN}>")).startswith("250")
        await submit.command(f"RCPT TO:<snv@{DOMAIN}>")
        await submit.command("DATA")
        await submit.send(f"From: vinhtv@{DOMAIN}\r\nSubject: rate\r\n\r\nx\r\n.\r\n".encode())
        assert (await submit.reply()).startswith("250")
        again = await submit.command(f"MAIL FROM:<vinhtv@{DOMAIN}>")
        assert again.startswith("450 4.7.1") and "You have sent too many messages" in again
    finally:
        await submit.close()


async def test_idle_clients_are_told_before_being_dropped(start_server: ServerFactory) -> None:
    server = await start_server(limits=replace(TEST_LIMITS, idle_timeout_s=1))
    client = await _greeted(server.mx)
    try:
        dropped = await client.reply(timeout=5)
        assert dropped.startswith("421 4.4.2") and "Idle" in dropped
        assert await client.at_eof()
    finally:
        await client.close()


async def test_sessions_per_account(start_server: ServerFactory) -> None:
    server = await start_server(limits=replace(TEST_LIMITS, max_sessions_per_account=1))
    first, second = await _tls_client(server), await _tls_client(server)
    try:
        assert (await first.command(f"AUTH PLAIN {_plain(PASSWORD)}")).startswith("235")
        busy = await second.command(f"AUTH PLAIN {_plain(PASSWORD)}")
        assert busy.startswith("454 4.7.0") and "signed in as this account" in busy
        await first.command("QUIT")
        await first.at_eof()
        await asyncio.sleep(0.05)
        assert (await second.command(f"AUTH PLAIN {_plain(PASSWORD)}")).startswith("235")
    finally:
        await first.close()
        await second.close()
