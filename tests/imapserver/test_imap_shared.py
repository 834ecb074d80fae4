"""Agency mailboxes in the shared namespace (RFC 2342 ``Shared/``) with ACLs (RFC 4314) enforced: what a clerk
sees, per-user \\Seen, and a clerk removed from the agency losing access at once, also in open sessions."""

from __future__ import annotations

import asyncio

from imap_harness import DOMAIN, ImapServer, tagged
from imap_samples import simple, token

AGENCY = f"stttt@{DOMAIN}"
SHARED_INBOX = f"Shared/{AGENCY}/INBOX"


async def test_clerk_sees_the_agency_mailbox_and_others_do_not(server: ImapServer) -> None:
    def scenario() -> None:
        clerk = server.imaplib("ttbinh")
        status, data = clerk.list('""', "Shared*")
        lines = [line.decode() for line in data]
        assert lines[0] == '(\\Noselect \\HasChildren) "/" "Shared"'
        assert lines[1] == f'(\\Noselect \\HasChildren) "/" "Shared/{AGENCY}"'
        assert f'(\\HasNoChildren) "/" "{SHARED_INBOX}"' in lines
        assert f'(\\HasNoChildren) "/" "Shared/{AGENCY}/Sent"' in lines  # no \\Sent: not the clerk's
        status, data = clerk.myrights(SHARED_INBOX)
        rights = data[0].decode().rsplit(" ", 1)[1]
        assert rights.startswith("lrs") and "a" not in rights  # a clerk does not administer the ACL
        status, data = clerk.getacl(SHARED_INBOX)
        assert status == "NO" and b"[NOPERM]" in data[0]
        status, data = clerk.getacl("INBOX")
        assert status == "OK" and data[0] == f"INBOX ttbinh@{DOMAIN} lrswipkxtea".encode()
        status, data = clerk._simple_command("SETACL", f'"{SHARED_INBOX}"', "nvan@" + DOMAIN, "lr")
        assert status == "NO" and b"[NOPERM]" in data[0]
        clerk.logout()
        outsider = server.imaplib("nvan")
        status, data = outsider.list('""', "Shared*")
        assert data == [None]
        status, data = outsider.select(f'"{SHARED_INBOX}"')
        assert status == "NO" and b"[NONEXISTENT]" in data[0]
        outsider.logout()

    await asyncio.to_thread(scenario)


async def test_seen_is_per_user_on_the_agency_mailbox(server: ImapServer) -> None:
    province = server.province
    mark = token()
    province.deliver("stttt", simple(f"Công văn đến {mark}"))

    def scenario() -> None:
        binh = server.imaplib("ttbinh")
        binh.select(f'"{SHARED_INBOX}"')
        _, data = binh.search(None, "SUBJECT", mark)
        number = data[0].split()[-1].decode()
        binh.fetch(number, "(BODY[TEXT])")
        _, data = binh.fetch(number, "(FLAGS)")
        assert b"\\Seen" in data[0]
        binh.logout()
        cuong = server.imaplib("lvcuong")
        cuong.select(f'"{SHARED_INBOX}"', readonly=True)
        _status, data = cuong.search(None, "UNSEEN", "SUBJECT", mark)
        assert data[0].split() == [number.encode()]
        cuong.logout()

    await asyncio.to_thread(scenario)


async def test_delivery_to_the_agency_wakes_a_clerk_in_idle(server: ImapServer) -> None:
    province = server.province
    wire = await server.wire()
    await wire.login("ttbinh")
    selected = await wire.command(f'SELECT "{SHARED_INBOX}"')
    exists = next(int(line.split()[1]) for line in selected if line.endswith(b" EXISTS\r\n"))
    await wire.send(b"i1 IDLE\r\n")
    assert await wire.line() == b"+ idling\r\n"
    await asyncio.to_thread(province.deliver, "stttt", simple("Giấy mời họp khẩn"))
    assert await wire.line() == f"* {exists + 1} EXISTS\r\n".encode()
    await wire.send(b"DONE\r\n")
    assert tagged(await wire.until_tagged("i1")).startswith(b"i1 OK")
    await wire.close()


async def test_removing_a_delegate_ends_open_sessions(server: ImapServer) -> None:
    province = server.province
    directory = province.inst.directory
    clerk = f"lvcuong@{DOMAIN}"
    province.deliver("stttt", simple("Thư để có ít nhất một thư"))
    idle = await server.wire()
    await idle.login("lvcuong")
    await idle.command(f'EXAMINE "{SHARED_INBOX}"')
    await idle.send(b"i1 IDLE\r\n")
    assert await idle.line() == b"+ idling\r\n"
    busy = await server.wire()
    await busy.login("lvcuong")
    await busy.command(f'SELECT "{SHARED_INBOX}"')
    try:
        await asyncio.to_thread(directory.accounts.revoke, clerk, "clerk", agency="H19.04")
        await busy.send(b"f1 FETCH 1:* (FLAGS)\r\n")
        answer = await busy.line()
        assert answer.startswith(b"* BYE ") and b"no longer have access" in answer
        assert await busy.line() == b""
        bye = await idle.line(timeout=5)
        assert bye.startswith(b"* BYE ") and SHARED_INBOX.encode() in bye
        assert await idle.line() == b""
        again = await server.wire()
        await again.login("lvcuong")
        refused = await again.command(f'SELECT "{SHARED_INBOX}"')
        assert b"NO [NONEXISTENT]" in tagged(refused)
        await again.close()
    finally:
        await asyncio.to_thread(directory.accounts.grant, clerk, "clerk", agency="H19.04")
    await busy.close()
