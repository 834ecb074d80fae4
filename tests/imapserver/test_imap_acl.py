"""SETACL and DELETEACL (RFC 4314): an owner shares a folder with a colleague and takes it back (also from an open
session), an agency's administrator grants access to a folder of the agency mailbox, and a clerk's rights from
the directory are listed, narrowed on one folder and restored, but not deleted through IMAP."""

from __future__ import annotations

import asyncio
import secrets

from imap_harness import DOMAIN, PASSWORD, ImapServer, Wire, tagged
from imap_samples import simple, token

AGENCY = f"stttt@{DOMAIN}"


def status(lines: list[bytes]) -> bytes:
    return tagged(lines).split(b" ", 2)[1]


def untagged(lines: list[bytes], kind: bytes) -> list[bytes]:
    return [line for line in lines if line.startswith(b"* " + kind + b" ")]


async def test_owner_shares_a_folder_and_takes_it_back(server: ImapServer) -> None:
    province = server.province
    folder = province.fresh_folder("nvan", "chung")
    mark = token()
    original = simple(f"Tài liệu dùng chung {mark}")
    province.deliver("nvan", original, folder)
    shared = f"Shared/nvan@{DOMAIN}/{folder}"
    owner, colleague = await server.wire(), await server.wire()
    await owner.login("nvan")
    await colleague.login("phdung")
    assert b"[NONEXISTENT]" in tagged(await colleague.command(f'EXAMINE "{shared}"'))

    # Rights that are not RFC 4314's are BAD; identifiers must be other local accounts.
    assert status(await owner.command(f"SETACL {folder} phdung@{DOMAIN} lrz")) == b"BAD"
    assert status(await owner.command(f"SETACL {folder} anyone lr")) == b"NO"
    assert b"[NONEXISTENT]" in tagged(await owner.command(f"SETACL {folder} khongco@{DOMAIN} lr"))
    assert status(await owner.command(f"SETACL {folder} nvan@{DOMAIN} lr")) == b"NO"

    assert status(await owner.command(f"SETACL {folder} phdung@{DOMAIN} lr")) == b"OK"
    acl = untagged(await owner.command(f"GETACL {folder}"), b"ACL")
    assert acl == [f'* ACL "{folder}" nvan@{DOMAIN} lrswipkxtea phdung@{DOMAIN} lr\r\n'.encode()]

    listed = await colleague.command('LIST "" "Shared/*"')
    assert any(line.rstrip().endswith(f'"{shared}"'.encode()) for line in listed)
    assert untagged(await colleague.command(f'MYRIGHTS "{shared}"'), b"MYRIGHTS") == [
        f'* MYRIGHTS "{shared}" lr\r\n'.encode()]
    assert status(await colleague.command(f'SELECT "{shared}"')) == b"OK"
    fetched = await colleague.command("UID FETCH 1 (BODY.PEEK[])")
    assert original in fetched[0]
    assert b"[NOPERM]" in tagged(await colleague.command(f'SETACL "{shared}" ttbinh@{DOMAIN} lr'))
    appended = simple("Bổ sung")
    command = f'APPEND "{shared}" {{{len(appended)}+}}\r\n'.encode() + appended
    assert b"[NOPERM]" in tagged(await colleague.command(command))

    # "+i" adds to the entry: the colleague may now add messages.
    assert status(await owner.command(f"SETACL {folder} phdung@{DOMAIN} +i")) == b"OK"
    assert untagged(await colleague.command(f'MYRIGHTS "{shared}"'), b"MYRIGHTS") == [
        f'* MYRIGHTS "{shared}" lri\r\n'.encode()]
    assert status(await colleague.command(command)) == b"OK"

    # DELETEACL: the colleague's open session on the folder ends at its next command.
    assert status(await owner.command(f"DELETEACL {folder} phdung@{DOMAIN}")) == b"OK"
    assert untagged(await owner.command(f"GETACL {folder}"), b"ACL") == [
        f'* ACL "{folder}" nvan@{DOMAIN} lrswipkxtea\r\n'.encode()]
    await colleague.send("n1 NOOP\r\n")
    bye = await colleague.line()
    assert bye.startswith(b"* BYE") and shared.encode() in bye
    other = await server.wire()
    await other.login("phdung")
    assert b"[NONEXISTENT]" in tagged(await other.command(f'EXAMINE "{shared}"'))
    for wire in (owner, colleague, other):
        await wire.close()


async def _signed_in(server: ImapServer, address: str) -> Wire:
    wire = await server.wire()
    assert status(await wire.command(f'LOGIN {address} "{PASSWORD}"')) == b"OK"
    return wire


async def test_agency_admin_grants_access_and_clerk_rights_come_from_the_directory(server: ImapServer) -> None:
    province = server.province
    admin_address = f"qtcq{secrets.token_hex(3)}@{DOMAIN}"
    await asyncio.to_thread(province.inst.directory.accounts.add, full_name="Đỗ Quản Trị", agency="H19.04",
                            address=admin_address, password=PASSWORD, roles=["agency_admin"])
    folder = province.fresh_folder("stttt", "hoso")
    shared = f"Shared/{AGENCY}/{folder}"
    admin = await _signed_in(server, admin_address)
    assert untagged(await admin.command(f'MYRIGHTS "{shared}"'), b"MYRIGHTS") == [
        f'* MYRIGHTS "{shared}" a\r\n'.encode()]
    assert status(await admin.command(f'SETACL "{shared}" phdung@{DOMAIN} lrs')) == b"OK"
    acl = untagged(await admin.command(f'GETACL "{shared}"'), b"ACL")[0].decode()
    assert f"{AGENCY} lrswipkxtea" in acl and f"phdung@{DOMAIN} lrs" in acl
    assert f"ttbinh@{DOMAIN} lrswipkxte" in acl  # the clerks, from the directory

    reader = await server.wire()
    await reader.login("phdung")
    assert status(await reader.command(f'SELECT "{shared}"')) == b"OK"

    # A clerk's rights: not deletable here, but replaceable on one folder, and back after DELETEACL.
    refused = tagged(await admin.command(f'DELETEACL "{shared}" ttbinh@{DOMAIN}'))
    assert refused.split()[1] == b"NO" and b"directory" in refused
    clerk = await server.wire()
    await clerk.login("ttbinh")
    assert status(await admin.command(f'SETACL "{shared}" ttbinh@{DOMAIN} lr')) == b"OK"
    assert untagged(await clerk.command(f'MYRIGHTS "{shared}"'), b"MYRIGHTS") == [
        f'* MYRIGHTS "{shared}" lr\r\n'.encode()]
    assert untagged(await clerk.command(f'MYRIGHTS "Shared/{AGENCY}/INBOX"'), b"MYRIGHTS") == [
        f'* MYRIGHTS "Shared/{AGENCY}/INBOX" lrswipkxte\r\n'.encode()]  # other folders keep the clerk's rights
    assert status(await admin.command(f'DELETEACL "{shared}" ttbinh@{DOMAIN}')) == b"OK"
    assert untagged(await clerk.command(f'MYRIGHTS "{shared}"'), b"MYRIGHTS") == [
        f'* MYRIGHTS "{shared}" lrswipkxte\r\n'.encode()]
    assert status(await admin.command(f'DELETEACL "{shared}" phdung@{DOMAIN}')) == b"OK"
    for wire in (admin, reader, clerk):
        await wire.close()


async def test_a_grantee_with_k_on_a_folder_creates_subfolders_there_and_keeps_access(server: ImapServer) -> None:
    province = server.province
    folder = province.fresh_folder("nvan", "duan")
    shared = f"Shared/nvan@{DOMAIN}/{folder}"
    owner, colleague = await server.wire(), await server.wire()
    await owner.login("nvan")
    await colleague.login("phdung")
    assert status(await owner.command(f"SETACL {folder} phdung@{DOMAIN} lr")) == b"OK"
    assert b"[NOPERM]" in tagged(await colleague.command(f'CREATE "{shared}/HoSo"'))
    assert status(await owner.command(f"SETACL {folder} phdung@{DOMAIN} +k")) == b"OK"
    assert status(await colleague.command(f'CREATE "{shared}/HoSo"')) == b"OK"
    # The new folder takes the parent's entries: the colleague sees and works in what they made.
    assert untagged(await colleague.command(f'MYRIGHTS "{shared}/HoSo"'), b"MYRIGHTS") == [
        f'* MYRIGHTS "{shared}/HoSo" lrk\r\n'.encode()]
    acl = untagged(await owner.command(f'GETACL "{folder}/HoSo"'), b"ACL")
    assert acl == [f'* ACL "{folder}/HoSo" nvan@{DOMAIN} lrswipkxtea phdung@{DOMAIN} lrk\r\n'.encode()]
    # "k" on one folder is not "k" on the owner's other folders.
    assert status(await colleague.command(f'CREATE "Shared/nvan@{DOMAIN}/Rieng"')) == b"NO"
    for wire in (owner, colleague):
        await wire.close()
