"""Transcript tests: exact bytes on a real socket, for the parts of the protocol libraries hide (greeting,
STARTTLS, SASL, literals, bad input, IDLE, COMPRESS)."""

from __future__ import annotations

import asyncio
import base64
import zlib

from imap_harness import PASSWORD, TEST_LIMITS, ImapServer, tagged
from imap_samples import simple, token


async def test_plain_port_offers_starttls_and_refuses_passwords_before_it(server: ImapServer) -> None:
    wire = await server.wire(tls=False)
    assert wire.greeting.startswith(b"* OK [CAPABILITY IMAP4rev1 IMAP4rev2 STARTTLS LOGINDISABLED")
    assert b"AUTH=" not in wire.greeting
    refused = await wire.login("nvan")
    assert tagged(refused).startswith(b"a1 NO [PRIVACYREQUIRED]")
    refused = await wire.command("AUTHENTICATE PLAIN " + base64.b64encode(b"\0nvan@dongnai.gov.vn\0x").decode())
    assert b"NO [PRIVACYREQUIRED]" in tagged(refused)
    # RFC 9051 §6.2.1: a command pipelined after STARTTLS must not run after the handshake.
    await wire.send(b"a3 STARTTLS\r\na4 LOGOUT\r\n")
    assert (await wire.line()).startswith(b"a3 OK")
    wire._tags = 4
    await wire.writer.start_tls(server.tls_context())
    capability = await wire.command("CAPABILITY")
    assert b"AUTH=PLAIN AUTH=LOGIN" in capability[0] and b"STARTTLS" not in capability[0]
    assert tagged(capability).startswith(b"a5 OK")
    assert tagged(await wire.login("nvan")).startswith(b"a6 OK [CAPABILITY")
    await wire.close()


async def test_authenticate_plain_login_and_cancel(server: ImapServer) -> None:
    wire = await server.wire()
    address = server.province.address("nvan")
    cancelled = await wire.send(b"c1 AUTHENTICATE PLAIN\r\n")
    assert (await wire.line()) == b"+ \r\n"
    await wire.send(b"*\r\n")
    cancelled = await wire.until_tagged("c1")
    assert tagged(cancelled).startswith(b"c1 BAD")
    await wire.send(b"c2 AUTHENTICATE LOGIN\r\n")
    assert (await wire.line()) == b"+ " + base64.b64encode(b"Username:") + b"\r\n"
    await wire.send(base64.b64encode(address.encode()) + b"\r\n")
    assert (await wire.line()) == b"+ " + base64.b64encode(b"Password:") + b"\r\n"
    await wire.send(base64.b64encode(PASSWORD.encode()) + b"\r\n")
    assert tagged(await wire.until_tagged("c2")).startswith(b"c2 OK [CAPABILITY")
    await wire.close()
    # SASL-IR (RFC 4959): the credentials ride on the command line.
    wire = await server.wire()
    initial = base64.b64encode(f"\0{address}\0{PASSWORD}".encode()).decode()
    assert tagged(await wire.command(f"AUTHENTICATE PLAIN {initial}")).startswith(b"a1 OK")
    wrong = await server.wire()
    bad = base64.b64encode(f"\0{address}\0wrong".encode()).decode()
    assert b"NO [AUTHENTICATIONFAILED]" in tagged(await wrong.command(f"AUTHENTICATE PLAIN {bad}"))
    await wire.close()
    await wrong.close()


async def test_bad_input_is_refused_and_changes_nothing(server: ImapServer) -> None:
    folder = server.province.fresh_folder("nvan")
    server.province.deliver("nvan", simple("Thư kiểm thử"), folder)
    wire = await server.wire()
    await wire.login("nvan")
    await wire.command(f"SELECT {folder}")
    cases = [
        b"STORE 1 +FLAGS (\\Seen",  # unbalanced parenthesis
        b"FETCH 1 (FLAGS",
        "STORE 1 +FLAGS (\\Seen) thừa".encode(),  # 8-bit octets where an atom must be
        b"FETCH 1:2:3 FLAGS",
        b"FETCH " + b",".join(str(n).encode() for n in range(1, 120_000, 2)) + b" FLAGS",  # 60,000 ranges
        b"FROBNICATE 1",
        b"STORE 5 +FLAGS (\\Seen)",  # beyond the last message
        b"SEARCH CHARSET KOI8-R TEXT x",
    ]
    for case in cases:
        status = tagged(await wire.command(case))
        assert status.split(b" ")[1] in (b"BAD", b"NO"), (case[:40], status)
    flags = await wire.command("FETCH 1 (FLAGS)")
    assert flags[0] == b"* 1 FETCH (FLAGS (\\Recent))\r\n"
    await wire.send(b"\xff\xfe garbage without a tag\r\n")
    assert (await wire.line()).startswith(b"* BAD")
    assert tagged(await wire.command("NOOP")).split(b" ")[1] == b"OK"
    await wire.close()


async def test_literals_synchronising_non_synchronising_and_too_large(server: ImapServer) -> None:
    folder = server.province.fresh_folder("nvan")
    wire = await server.wire()
    await wire.login("nvan")
    message = simple("Thư gửi bằng literal")
    await wire.send(f"a2 APPEND {folder} (\\Seen) {{{len(message)}}}\r\n".encode())
    assert (await wire.line()).startswith(b"+ ")
    await wire.send(message + b"\r\n")
    assert b"a2 OK [APPENDUID" in tagged(await wire.until_tagged("a2"))
    # LITERAL+ (RFC 7888): no continuation request.
    await wire.send(f"a3 APPEND {folder} {{{len(message)}+}}\r\n".encode() + message + b"\r\n")
    assert b"a3 OK [APPENDUID" in tagged(await wire.until_tagged("a3"))
    # Over APPENDLIMIT: refused before the client sends the data.
    await wire.send(f"a4 APPEND {folder} {{{server.services.limits.max_message_bytes + 1}}}\r\n".encode())
    assert (await wire.line()).startswith(b"a4 NO [TOOBIG]")
    await wire.send(b"a5 " + b"X" * (server.services.limits.max_line_bytes + 10) + b"\r\n")
    assert (await wire.line()).startswith(b"a5 BAD")
    status = await wire.command(f"STATUS {folder} (MESSAGES)")
    assert status[0] == f"* STATUS \"{folder}\" (MESSAGES 2)\r\n".encode()
    await wire.close()


async def test_client_that_vanishes_mid_literal_leaves_others_untouched(server: ImapServer) -> None:
    folder = server.province.fresh_folder("nvan")
    other = await server.wire()
    await other.login("nvan")
    await other.command(f"SELECT {folder}")
    for _ in range(3):
        gone = await server.wire()
        await gone.login("nvan")
        await gone.send(f"x1 APPEND {folder} {{5000}}\r\n".encode())
        assert (await gone.line()).startswith(b"+ ")
        await gone.send(b"From: half a message")
        gone.writer.transport.abort()
    for _ in range(50):
        if server.listeners.connection_count == 1:
            break
        await asyncio.sleep(0.05)
    assert server.listeners.connection_count == 1
    assert b"* 0 EXISTS" in b"".join(await other.command(f"EXAMINE {folder}"))
    assert tagged(await other.command("NOOP")).split(b" ")[1] == b"OK"
    await other.close()


async def test_too_many_bad_commands_end_the_session(start_server) -> None:  # type: ignore[no-untyped-def]
    from dataclasses import replace

    server = await start_server(replace(TEST_LIMITS, max_bad_commands=3))
    wire = await server.wire()
    for _ in range(2):
        await wire.command("NONSENSE")
    await wire.send(b"a3 NONSENSE\r\n")
    assert (await wire.line()).startswith(b"a3 BAD")
    assert (await wire.line()).startswith(b"* BYE")
    assert await wire.line() == b""


async def test_idle_reports_delivery_flag_change_and_expunge_from_elsewhere(server: ImapServer) -> None:
    province = server.province
    folder = province.fresh_folder("nvan")
    province.deliver("nvan", simple("Thư thứ nhất"), folder)
    province.deliver("nvan", simple("Thư thứ hai"), folder)
    wire = await server.wire()
    await wire.login("nvan")
    await wire.command(f"SELECT {folder}")
    await wire.send(b"i1 IDLE\r\n")
    assert (await wire.line()) == b"+ idling\r\n"
    uid = await asyncio.to_thread(province.deliver, "nvan", simple("Thư mới trong lúc IDLE"), folder)
    assert (await wire.line()) == b"* 3 EXISTS\r\n"
    assert (await wire.line()) == b"* 3 RECENT\r\n"  # IMAP4rev1: this session claimed the new message
    other = await server.wire()
    await other.login("nvan")
    await other.command(f"SELECT {folder}")
    await other.command("STORE 1 +FLAGS (\\Deleted)")
    line = await wire.line()
    assert line.startswith(b"* 1 FETCH (UID ") and b"\\Deleted" in line
    await other.command("EXPUNGE")
    assert (await wire.line()) == b"* 1 EXPUNGE\r\n"
    await wire.send(b"DONE\r\n")
    assert (await wire.line()).startswith(b"i1 OK")
    fetched = await wire.command(f"UID FETCH {uid} (FLAGS)")
    assert fetched[0].startswith(b"* 2 FETCH")
    await wire.close()
    await other.close()


async def test_compress_deflate(server: ImapServer) -> None:
    folder = server.province.fresh_folder("nvan")
    server.province.deliver("nvan", simple("Thư nén " * 20), folder)
    wire = await server.wire()
    await wire.login("nvan")
    assert tagged(await wire.command("COMPRESS DEFLATE")).startswith(b"a2 OK")
    deflate = zlib.compressobj(6, zlib.DEFLATED, -15)
    inflate = zlib.decompressobj(-15)

    async def command(text: str) -> bytes:
        await wire.send(deflate.compress(text.encode() + b"\r\n") + deflate.flush(zlib.Z_SYNC_FLUSH))
        received = b""
        while b"\r\nz" not in b"\r\n" + received or not received.endswith(b"\r\n"):
            chunk = await asyncio.wait_for(wire.reader.read(65536), 10)
            assert chunk
            received += inflate.decompress(chunk)
            if any(line.startswith(b"z") for line in received.split(b"\r\n")):
                break
        return received

    answer = await command(f"z SELECT {folder}")
    assert b"* 1 EXISTS" in answer and b"z OK [READ-WRITE]" in answer
    answer = await command("z FETCH 1 (BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
    assert "Thư nén".encode() in answer
    answer = await command("z CAPABILITY")
    assert b"COMPRESS=DEFLATE" not in answer
    await wire.close()


async def test_binary_fetch_uses_literal8_for_nul_octets(server: ImapServer) -> None:
    mark = token()
    payload = b"\x00\x01 d\xe1\xbb\xaf li\xe1\xbb\x87u \x00"
    raw = (f"From: a@dongnai.gov.vn\r\nSubject: {mark}\r\nMIME-Version: 1.0\r\n"
           "Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n").encode()
    raw += base64.encodebytes(payload).replace(b"\n", b"\r\n")
    folder = server.province.fresh_folder("nvan")
    server.province.deliver("nvan", raw, folder)
    wire = await server.wire()
    await wire.login("nvan")
    await wire.command(f"EXAMINE {folder}")
    fetched = await wire.command("FETCH 1 (BINARY.PEEK[1] BINARY.SIZE[1])")
    assert fetched[0] == (b"* 1 FETCH (BINARY[1] ~{%d}\r\n" % len(payload)) + payload + (
        b" BINARY.SIZE[1] %d)\r\n" % len(payload))
    await wire.close()


async def test_id_enable_namespace_and_unknown_state(server: ImapServer) -> None:
    wire = await server.wire()
    assert tagged(await wire.command("SELECT INBOX")).startswith(b"a1 BAD")
    identified = await wire.command('ID ("name" "Thunderbird" "version" "128.0")')
    assert identified[0].startswith(b'* ID ("name" "CongVu"')
    await wire.login("nvan")
    enabled = await wire.command("ENABLE IMAP4rev2 CONDSTORE X-UNKNOWN")
    assert enabled[0] == b"* ENABLED IMAP4rev2 CONDSTORE\r\n"
    namespace = await wire.command("NAMESPACE")
    assert namespace[0] == b'* NAMESPACE (("" "/")) (("Shared/" "/")) NIL\r\n'
    selected = await wire.command("SELECT INBOX")
    assert b'* LIST (\\HasNoChildren \\Subscribed) "/" INBOX\r\n' in selected
    assert not any(b"RECENT" in line for line in selected)
    await wire.close()


async def test_expunge_waits_for_a_command_that_may_carry_it(server: ImapServer) -> None:
    """RFC 9051 §7.5.1: no EXPUNGE while answering FETCH, STORE or SEARCH by number; UID commands and NOOP
    carry it. An APPEND to the selected folder is announced with EXISTS in its own answer."""
    province = server.province
    folder = province.fresh_folder("nvan")
    for n in range(3):
        province.deliver("nvan", simple(f"Thư {n}"), folder)
    wire = await server.wire()
    await wire.login("nvan")
    await wire.command(f"SELECT {folder}")
    other = await server.wire()
    await other.login("nvan")
    await other.command(f"SELECT {folder}")
    await other.command("STORE 1 +FLAGS.SILENT (\\Deleted)")
    await other.command("EXPUNGE")
    fetched = await wire.command("FETCH 1:* (UID)")
    assert [line for line in fetched if b"EXPUNGE" in line] == []
    assert len([line for line in fetched if line.startswith(b"* ")]) == 2  # the expunged one is left out
    searched = await wire.command("SEARCH ALL")
    assert searched[0] == b"* SEARCH 2 3\r\n" and not any(b"EXPUNGE" in line for line in searched)
    uid_fetched = await wire.command("UID FETCH 1:* (FLAGS)")
    assert b"* 1 EXPUNGE\r\n" in uid_fetched
    message = simple("Thư tự lưu")
    await wire.send(f"a9 APPEND {folder} {{{len(message)}+}}\r\n".encode() + message + b"\r\n")
    appended = await wire.until_tagged("a9")
    assert b"* 3 EXISTS\r\n" in appended and appended[-1].startswith(b"a9 OK [APPENDUID ")
    await wire.close()
    await other.close()


async def test_garbage_instead_of_a_tls_handshake_is_dropped(server: ImapServer) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", server.listeners.imaps_port)
    writer.write(b"a1 LOGIN plaintext on the TLS port\r\n" * 3)
    await writer.drain()
    answer = await asyncio.wait_for(reader.read(), 10)
    assert answer == b"" or answer.startswith(b"\x15\x03")  # closed, at most after a TLS alert record
    writer.close()
    for _ in range(40):
        if server.listeners.connection_count == 0:
            break
        await asyncio.sleep(0.05)
    assert server.listeners.connection_count == 0
    healthy = await server.wire()
    assert healthy.greeting.startswith(b"* OK [CAPABILITY")
    await healthy.close()
