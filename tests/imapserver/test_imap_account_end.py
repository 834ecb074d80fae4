"""A disabled or removed account's open IMAP sessions end with ``* BYE`` and a reason within seconds, IDLE
sessions too, whoever makes the change (here the directory service, as the web and the CLI do)."""

from __future__ import annotations

import asyncio
import dataclasses
import secrets
import time

from imap_harness import DOMAIN, PASSWORD, TEST_LIMITS, ServerFactory, Wire

CHECK_S = 0.5


async def _signed_in(wire: Wire, address: str) -> None:
    reply = await wire.command(f'LOGIN {address} "{PASSWORD}"')
    assert reply[-1].split()[1] == b"OK", reply


async def _bye_then_close(wire: Wire, timeout: float) -> bytes:
    """The ``* BYE`` line the server sends (other untagged lines before it are skipped), after which the
    connection closes."""
    deadline = time.monotonic() + timeout
    while True:
        line = await wire.line(timeout=max(deadline - time.monotonic(), 0.1))
        assert line, "connection closed without BYE"
        if line.startswith(b"* BYE"):
            assert await wire.line(timeout=5) == b""
            return line


async def _account_end(start_server: ServerFactory, change: str) -> None:
    server = await start_server(dataclasses.replace(TEST_LIMITS, account_check_s=CHECK_S))
    province = server.province
    address = f"tamthoi{secrets.token_hex(3)}@{DOMAIN}"
    added = await asyncio.to_thread(province.inst.directory.accounts.add, full_name="Võ Thị Tạm",
                                    agency="H19.04", address=address, password=PASSWORD)
    bystander = await server.wire()
    await bystander.login("nvan")
    waiting = await server.wire()
    await _signed_in(waiting, address)
    assert (await waiting.command("SELECT INBOX"))[-1].split()[1] == b"OK"
    idling = await server.wire()
    await _signed_in(idling, address)
    await idling.command("ENABLE UTF8=ACCEPT")
    await idling.command("SELECT INBOX")
    await idling.send("i1 IDLE\r\n")
    assert (await idling.line()).startswith(b"+ ")

    accounts = province.inst.directory.accounts
    if change == "disable":
        await asyncio.to_thread(accounts.disable, address, reason="Nghỉ phép dài hạn")
        expected_en, expected_vi = "Account disabled", "Tài khoản đã bị khoá"
    else:
        await asyncio.to_thread(accounts.remove, address, reason="Nghỉ hưu")
        expected_en, expected_vi = "Account removed", "Tài khoản đã bị xoá"
    changed_at = time.monotonic()
    plain_bye = await _bye_then_close(waiting, timeout=5)
    utf8_bye = await _bye_then_close(idling, timeout=5)
    assert time.monotonic() - changed_at < 5
    assert expected_en.encode() in plain_bye
    assert expected_vi.encode() in utf8_bye and expected_en.encode() in utf8_bye  # UTF8=ACCEPT: both languages

    # Other accounts' sessions go on, and the account cannot sign in again.
    assert (await bystander.command("NOOP"))[-1].split()[1] == b"OK"
    again = await server.wire()
    assert (await again.command(f'LOGIN {address} "{PASSWORD}"'))[-1].split()[1] == b"NO"
    for wire in (bystander, again, waiting, idling):
        await wire.close()
    assert added.account.id not in server.listeners.server.sessions.account_ids()


async def test_disabled_account_sessions_end(start_server: ServerFactory) -> None:
    await _account_end(start_server, "disable")


async def test_removed_account_sessions_end(start_server: ServerFactory) -> None:
    await _account_end(start_server, "remove")
