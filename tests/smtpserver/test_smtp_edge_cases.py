"""Hostile and broken clients: pipelining, bad commands, huge lines, 8-bit and invalid UTF-8 headers, bare LF,
SMTP smuggling, NUL octets, clients vanishing mid-DATA. Every case ends in a proper reply or a clean drop,
nothing partial is delivered, and the server keeps serving."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from smtp_harness import DOMAIN, PASSWORD, RawClient, SmtpServer, run_swaks, token

pytestmark = pytest.mark.skipif(not Path("/usr/bin/swaks").exists(), reason="swaks is not installed")


async def _still_serving(server: SmtpServer) -> None:
    tag = token()
    code, out = await run_swaks("--server", "127.0.0.1", "--port", str(server.mx), "--from", "a@example.org",
                                "--to", f"snv@{DOMAIN}", "--helo", "check.example", "--header", f"Subject: {tag}")
    assert code == 0, out
    assert len(server.province.find("snv", tag)) == 1


async def test_swaks_pipelining_to_several_recipients(server: SmtpServer) -> None:
    tag = token()
    code, out = await run_swaks("--server", "127.0.0.1", "--port", str(server.mx), "--pipeline",
                                "--from", "a@example.org", "--to", f"vinhtv@{DOMAIN},khongco@{DOMAIN},lannt@{DOMAIN}",
                                "--helo", "pipe.example", "--header", f"Subject: {tag}")
    assert "550 5.1.1" in out and "250 2.0.0 Message accepted" in out, out
    assert code in (0, 24), out  # 24: some recipients were refused
    assert len(server.province.find("vinhtv", tag)) == 1 and len(server.province.find("lannt", tag)) == 1


async def test_raw_pipelined_burst(server: SmtpServer) -> None:
    tag = token()
    client = await RawClient.connect(server.mx)
    try:
        await client.reply()
        await client.command("EHLO burst.example")
        await client.send(f"MAIL FROM:<a@example.org>\r\nRCPT TO:<stttt@{DOMAIN}>\r\nRCPT TO:<x@example.com>\r\n"
                          f"DATA\r\nSubject: {tag}\r\n\r\nbody\r\n.\r\nQUIT\r\n".encode())
        replies = [await client.reply() for _ in range(6)]
    finally:
        await client.close()
    assert [r[:3] for r in replies] == ["250", "250", "550", "354", "250", "221"], replies
    assert len(server.province.find("stttt", tag)) == 1


async def test_bad_commands_get_proper_errors(server: SmtpServer) -> None:
    client = await RawClient.connect(server.mx)
    try:
        await client.reply()
        assert (await client.command("MAIL FROM:<a@example.org>")).startswith("503 5.5.1")
        await client.command("EHLO bad.example")
        assert (await client.command("FROBNICATE")).startswith("500 5.5.1")
        assert (await client.command("MAIL")).startswith("501 5.5.4")
        assert (await client.command(f"RCPT TO:<vinhtv@{DOMAIN}>")).startswith("503 5.5.1")
        assert (await client.command("MAIL FROM:<broken@")).startswith("553 5.1.3")
        assert (await client.command(b"MAIL FROM:<a\x00b@example.org>")).startswith("553 5.1.3")
        assert (await client.command("MAIL FROM:<a@example.org> XFOO=BAR")).startswith("555 5.5.4")
        assert (await client.command(b"MAIL FROM:<\xff\xfe@example.org> SMTPUTF8")).startswith("553 5.1.3")
        assert (await client.command("MAIL FROM:<người@example.org>")).startswith("553 5.6.7")
        assert (await client.command("DATA")).startswith("503 5.5.1")
        huge = await client.command(b"NOOP " + b"x" * (1024 * 1024))
        assert huge.startswith("500 5.5.6") and "too long" in huge
        assert (await client.command("NOOP")).startswith("250 2.0.0")
        assert (await client.command("VRFY vinhtv")).startswith("252 2.5.0")
        assert (await client.command("EXPN lanhdao")).startswith("502 5.5.1")
        for _ in range(3):  # FROBNICATE was the first of five unknown commands allowed
            assert (await client.command("XYZZY")).startswith("500 5.5.1")
        assert (await client.command("XYZZY")).startswith("502 5.5.1")  # too many: goodbye
        assert await client.at_eof()
    finally:
        await client.close()
    await _still_serving(server)


async def _data_exchange(server: SmtpServer, body: bytes) -> tuple[str, RawClient]:
    client = await RawClient.connect(server.mx)
    await client.reply()
    await client.command("EHLO edge.example")
    await client.command("MAIL FROM:<a@example.org>")
    await client.command(f"RCPT TO:<vinhtv@{DOMAIN}>")
    assert (await client.command("DATA")).startswith("354")
    await client.send(body)
    return await client.reply(), client


async def test_a_megabyte_line_is_refused_whole(server: SmtpServer) -> None:
    tag = token()
    reply, client = await _data_exchange(server, f"Subject: {tag}\r\n\r\n".encode() + b"y" * (1024 * 1024) +
                                         b"\r\nend\r\n.\r\n")
    try:
        assert reply.startswith("554 5.6.0") and "longer than" in reply
        assert (await client.command("RSET")).startswith("250 2.0.0")
    finally:
        await client.close()
    assert server.province.find("vinhtv", tag) == []


async def test_eight_bit_and_invalid_utf8_headers_are_kept_byte_exact(server: SmtpServer, tmp_path: Path) -> None:
    tag = token()
    body = (f"From: =?utf-8?b?VHLhuqduIFbEg24gQQ==?= <a@example.org>\r\nSubject: Công văn {tag}\r\n".encode() +
            b"X-Legacy: \xc7\xf9ng v\xfen TCVN3\r\nX-Broken: \xff\xfe\xc3\r\n\r\nN\xe1\xbb\x99i dung\r\n")
    code, out = await run_swaks("--server", "127.0.0.1", "--port", str(server.mx), "--from", "a@example.org",
                                "--to", f"vinhtv@{DOMAIN}", data=body + b".\r\n", tmp=tmp_path)
    assert code == 0, out
    (stored,) = server.province.find("vinhtv", tag)
    assert stored.endswith(body)


async def test_bare_lf_lines_are_stored_with_crlf(server: SmtpServer, tmp_path: Path) -> None:
    tag = token()
    data = f"Subject: {tag}\nX-Lines: bare\n\nline one\nline two\r\n".encode()
    code, out = await run_swaks("--server", "127.0.0.1", "--port", str(server.mx), "--from", "a@example.org",
                                "--to", f"vinhtv@{DOMAIN}", data=data + b".\r\n", tmp=tmp_path)
    assert code == 0, out
    (stored,) = server.province.find("vinhtv", tag)
    assert stored.endswith(f"Subject: {tag}\r\nX-Lines: bare\r\n\r\nline one\r\nline two\r\n".encode())


@pytest.mark.parametrize("smuggle", [b"\n.\r\n", b"\r\n.\n", b"\n.\n"])
async def test_smtp_smuggling_is_refused_and_the_connection_closed(server: SmtpServer, smuggle: bytes) -> None:
    tag, hidden = token(), token()
    reply, client = await _data_exchange(
        server, f"Subject: {tag}\r\n\r\nfirst".encode() + smuggle +
        f"MAIL FROM:<admin@{DOMAIN}>\r\nRCPT TO:<vinhtv@{DOMAIN}>\r\nDATA\r\nSubject: {hidden}\r\n\r\nx\r\n.\r\n"
        .encode())
    try:
        assert reply.startswith("554 5.5.2") and "bare LF" in reply
        assert await client.at_eof()
    finally:
        await client.close()
    assert server.province.find("vinhtv", tag) == [] and server.province.find("vinhtv", hidden) == []


async def test_nul_octets_are_refused(server: SmtpServer, tmp_path: Path) -> None:
    tag = token()
    code, out = await run_swaks("--server", "127.0.0.1", "--port", str(server.mx), "--from", "a@example.org",
                                "--to", f"vinhtv@{DOMAIN}", data=f"Subject: {tag}\r\n\r\na\x00b\r\n.\r\n".encode(),
                                tmp=tmp_path)
    assert code != 0 and "554 5.6.0" in out and "NUL" in out, out
    assert server.province.find("vinhtv", tag) == []


async def test_client_vanishing_mid_data_leaves_nothing(server: SmtpServer, tmp_path: Path) -> None:
    tag = token()
    _code, out = await run_swaks("--server", "127.0.0.1", "--port", str(server.mx), "--from", "a@example.org",
                                 "--to", f"vinhtv@{DOMAIN}", "--drop-after", "DATA",
                                 "--header", f"Subject: {tag}")
    assert "354" in out, out
    client = await RawClient.connect(server.mx)
    await client.reply()
    await client.command("EHLO gone.example")
    await client.command("MAIL FROM:<a@example.org>")
    await client.command(f"RCPT TO:<vinhtv@{DOMAIN}>")
    await client.command("DATA")
    await client.send(f"Subject: {tag}\r\n\r\nhalf a message".encode())
    client.writer.transport.abort()
    await asyncio.sleep(0.2)
    assert server.province.find("vinhtv", tag) == []
    await _still_serving(server)


async def test_swaks_submission_over_starttls_and_implicit_tls(server: SmtpServer) -> None:
    province = server.province
    common = ("--server", "127.0.0.1", "--from", f"vinhtv@{DOMAIN}", "--to", f"lannt@{DOMAIN}",
              "--auth-user", f"vinhtv@{DOMAIN}", "--auth-password", PASSWORD)
    plain = token()
    code, out = await run_swaks(*common, "--port", str(server.submission), "--auth", "PLAIN",
                                "--header", f"Subject: {plain}")
    assert code != 0 and "did not advertise authentication" in out  # no AUTH without TLS
    assert province.find("lannt", plain) == []
    tags = token(), token()
    for tag, tls, mechanism, port in ((tags[0], "--tls", "PLAIN", server.submission),
                                      (tags[1], "--tlsc", "LOGIN", server.smtps)):
        code, out = await run_swaks(*common, "--port", str(port), tls, "--auth", mechanism,
                                    "--header", f"Subject: {tag}")
        assert code == 0, out
        assert "235 2.7.0" in out
        assert len(province.find("lannt", tag)) == 1
