"""IDLE sends its continuation at once, then tells the client what changed since its last command (RFC 2177), and
a repeated SELECT hands out no \\Recent message twice (RFC 3501 §2.3.2)."""

from __future__ import annotations

import asyncio

from imap_harness import ImapServer
from imap_samples import simple

from congvu.mailstore.api import FLAGGED, FlagMode


async def test_idle_reports_changes_made_between_the_last_command_and_idle(server: ImapServer) -> None:
    province = server.province
    folder = province.fresh_folder("nvan")
    first = province.deliver("nvan", simple("Thư thứ nhất"), folder)
    wire = await server.wire()
    await wire.login("nvan")
    await wire.command(f"SELECT {folder}")
    store = province.inst.mailstore
    folder_id = store.find_folder(province.id("nvan"), folder).id
    # Elsewhere, after the session's last command and before it enters IDLE: a flag change and a delivery.
    await asyncio.to_thread(store.store_flags, province.id("nvan"), folder_id, [first], FlagMode.ADD, [FLAGGED])
    await asyncio.to_thread(province.deliver, "nvan", simple("Thư thứ hai"), folder)
    await wire.send(b"i1 IDLE\r\n")
    assert (await wire.line()) == b"+ idling\r\n"
    fetched = await wire.line()
    assert fetched.startswith(b"* 1 FETCH (UID ") and b"\\Flagged" in fetched
    assert (await wire.line()) == b"* 2 EXISTS\r\n"
    assert (await wire.line()) == b"* 2 RECENT\r\n"  # IMAP4rev1: both claimed by this session
    await wire.send(b"DONE\r\n")
    assert (await wire.line()).startswith(b"i1 OK")
    await wire.close()


async def test_idle_with_nothing_new_answers_done_at_once(server: ImapServer) -> None:
    province = server.province
    folder = province.fresh_folder("nvan")
    province.deliver("nvan", simple("Thư"), folder)
    wire = await server.wire()
    await wire.login("nvan")
    await wire.command(f"SELECT {folder}")
    for n in range(3):
        await wire.send(f"i{n} IDLE\r\n")
        assert (await wire.line()) == b"+ idling\r\n"
        await wire.send(b"DONE\r\n")
        assert (await wire.line()).startswith(f"i{n} OK".encode())
    await wire.close()


async def test_select_again_claims_no_recent_message_twice(server: ImapServer) -> None:
    province = server.province
    folder = province.fresh_folder("nvan")
    province.deliver("nvan", simple("Thư một"), folder)
    wire = await server.wire()
    await wire.login("nvan")
    assert b"* 1 RECENT\r\n" in await wire.command(f"SELECT {folder}")
    assert b"* 0 RECENT\r\n" in await wire.command(f"SELECT {folder}")  # claimed by the first SELECT
    province.deliver("nvan", simple("Thư hai"), folder)
    other = await server.wire()
    await other.login("nvan")
    assert b"* 1 RECENT\r\n" in await other.command(f"SELECT {folder}")
    lines = await wire.command("NOOP")
    assert b"* 2 EXISTS\r\n" in lines and b"* 0 RECENT\r\n" in lines  # the other session claimed it
    await wire.close()
    await other.close()
