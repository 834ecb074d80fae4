"""The SMTP server's pure parts: reply wording, settings, counters, the DATA reader, trace fields, SASL."""

from __future__ import annotations

import asyncio
import base64
from datetime import UTC, datetime

import pytest

from congvu.errors import ConfigError
from congvu.smtpserver import replies, sasl
from congvu.smtpserver.datareader import read_data
from congvu.smtpserver.limits import ConnectionGate, SlidingCount
from congvu.smtpserver.mailauth import rename_forged_results
from congvu.smtpserver.replies import with_enhanced_code
from congvu.smtpserver.settings import MailPolicy, PolicyAction, load_limits, load_mail_policy
from congvu.smtpserver.trace import TraceInfo, add_received, add_return_path, received_value


@pytest.mark.parametrize(("engine", "ours"), [
    ("250 OK", "250 2.0.0 OK"),
    ("503 Error: need MAIL command", "503 5.5.1 Send MAIL FROM first"),
    ("500 Error: bad syntax", "500 5.5.2 Syntax error: command not understood"),
    ('500 Error: command "FOO" not recognized', "500 5.5.1 Command not recognized"),
    ("250 Syntax: HELO hostname", "250 2.0.0 Syntax: HELO hostname"),
    ("552 Error: Too much mail data", "552 5.3.4 Error: Too much mail data"),
    ("550 5.1.1 already coded", "550 5.1.1 already coded"),
    ("354 End data with <CR><LF>.<CR><LF>", "354 End data with <CR><LF>.<CR><LF>"),
    ("334 VXNlcm5hbWU6", "334 VXNlcm5hbWU6"),
])
def test_engine_replies_get_enhanced_codes(engine: str, ours: str) -> None:
    assert with_enhanced_code(engine) == ours


def test_replies_are_ascii() -> None:
    texts = [str(r) for r in vars(replies).values() if isinstance(r, replies.Reply)]
    texts += [str(replies.unknown_recipient("người@dongnai.gov.vn")), str(replies.line_too_long(10))]
    assert all(t.isascii() for t in texts)
    assert "\\u" in str(replies.unknown_recipient("người@dongnai.gov.vn"))


def test_settings_loaders(monkeypatch: pytest.MonkeyPatch) -> None:
    limits = load_limits({"smtp": {"max_message_bytes": 1048576, "max_recipients": 50}})
    assert (limits.max_message_bytes, limits.max_recipients, limits.max_connections_per_ip) == (1048576, 50, 20)
    monkeypatch.setenv("CONGVU_SMTP_MAX_RECIPIENTS", "7")
    assert load_limits({}).max_recipients == 7
    with pytest.raises(ConfigError, match="max_recipent"):
        load_limits({"smtp": {"max_recipent": 3}})
    with pytest.raises(ConfigError):
        load_limits({"smtp": {"max_message_bytes": "lots"}})
    policy = load_mail_policy({"mail_policy": {"free_mail_domains": ["Gmail.com", "zing.vn"],
                                               "inbound_free_mail": "Hold"}}, domain="dongnai.gov.vn")
    assert policy.inbound_free_mail == PolicyAction.HOLD and policy.outbound_free_mail == PolicyAction.WARN
    assert policy.free_mail_domains == frozenset({"gmail.com", "zing.vn"})
    assert policy.hold_mailbox == "postmaster@dongnai.gov.vn"
    with pytest.raises(ConfigError, match="allow, warn, hold, reject"):
        load_mail_policy({"mail_policy": {"outbound_free_mail": "block"}}, domain="dongnai.gov.vn")


def test_free_mail_domains_cover_subdomains() -> None:
    policy = MailPolicy()
    assert policy.free_mail_domain("a@mail.yahoo.com") == "yahoo.com"
    assert policy.free_mail_domain("a@GMAIL.COM.") == "gmail.com"
    assert policy.free_mail_domain("a@yahoo.com.vn") == "yahoo.com.vn"
    assert policy.free_mail_domain("a@notgmail.com") is None
    assert policy.free_mail_domain("a@dongnai.gov.vn") is None


def test_connection_gate_counts_networks() -> None:
    gate = ConnectionGate(max_total=3, max_per_network=2)
    assert gate.admit("2001:db8::1") is None and gate.admit("2001:db8::2") is None  # one /64
    assert gate.admit("2001:db8::3") is not None
    assert gate.admit("192.0.2.1") is None
    assert gate.admit("192.0.2.2") == replies.SERVER_BUSY
    gate.release("2001:db8::1")
    assert gate.admit("2001:db8::9") is None and gate.total == 3


def test_sliding_count_forgets_after_the_window() -> None:
    now = [0.0]
    count = SlidingCount(window_s=60, max_keys=2, clock=lambda: now[0])
    count.add("a")
    count.add("a")
    now[0] = 30
    count.add("b")
    assert (count.count("a"), count.count("b")) == (2, 1)
    now[0] = 61
    assert (count.count("a"), count.count("b")) == (0, 1)
    count.add("c")
    count.add("d")  # full: the idle key goes first
    assert count.count("d") == 1


async def _read(data: bytes, *, max_bytes: int = 10_000, max_line: int = 100) -> tuple[bytes, str | None, bytes]:
    reader = asyncio.StreamReader(limit=max_line + 2)
    reader.feed_data(data)
    reader.feed_eof()
    outcome = await read_data(reader, max_bytes=max_bytes, max_line=max_line)
    rest = await reader.read()
    return outcome.raw, str(outcome.refusal) if outcome.refusal else None, rest


async def test_data_reader() -> None:
    assert await _read(b"A: b\r\n\r\n..dot\r\nx\r\n.\r\nQUIT\r\n") == (b"A: b\r\n\r\n.dot\r\nx\r\n", None,
                                                                          b"QUIT\r\n")
    assert (await _read(b"A: b\n\nbare\n.\r\n"))[1] is not None  # "." after a bare-LF line
    assert (await _read(b"A: b\n\nbare\nok\r\n.\r\n"))[0] == b"A: b\r\n\r\nbare\r\nok\r\n"
    raw, refusal, rest = await _read(b"x\r\n.\nMAIL FROM:<a@b>\r\n")
    assert raw == b"" and refusal is not None and refusal.startswith("554 5.5.2") and rest.startswith(b"MAIL")
    assert (await _read(b"a\x00b\r\n.\r\n"))[1] == str(replies.NUL_IN_CONTENT)
    assert (await _read(b"y" * 500 + b"\r\nz\r\n.\r\nNOOP\r\n"))[1:] == (str(replies.line_too_long(100)),
                                                                       b"NOOP\r\n")
    assert (await _read(b"y" * 101 + b"\r\n.\r\n"))[1] == str(replies.line_too_long(100))
    assert (await _read((b"y" * 98 + b"\r\n") * 3 + b".\r\n", max_bytes=200))[1] == \
        str(replies.message_too_big(200))
    assert await _read(b".\r\n") == (b"", None, b"")
    with pytest.raises(ConnectionError):
        await _read(b"Subject: cut\r\nno end")


def test_trace_fields() -> None:
    info = TraceInfo(server_name="mail.dongnai.gov.vn", client_ip="192.0.2.7", helo="bad helo (x)",
                     extended=True, tls="TLSv1.3 TLS_AES_256_GCM_SHA384", authenticated=True, utf8=False,
                     queue_id="ABC123")
    when = datetime(2026, 3, 1, 8, 30, tzinfo=UTC)
    assert received_value(info, recipient="a@dongnai.gov.vn", now=when) == (
        "from bad?helo??x? ([192.0.2.7])\r\n\t(TLSv1.3 TLS_AES_256_GCM_SHA384)\r\n\t"
        "by mail.dongnai.gov.vn with ESMTPSA id ABC123\r\n\tfor <a@dongnai.gov.vn>;\r\n\t"
        "Sun, 01 Mar 2026 08:30:00 +0000")
    assert b"for <" not in add_received(b"S: x\r\n\r\n", info, recipient="a b@x", now=when)
    assert add_return_path(b"S: x\r\n\r\n", "") == b"Return-Path: <>\r\nS: x\r\n\r\n"
    assert add_return_path(b"S: x\n\n", "người@ví.dụ").startswith("Return-Path: <người@ví.dụ>\n".encode())


def test_sasl_decoding() -> None:
    creds = sasl.decode_plain(b"\x00vinhtv@dongnai.gov.vn\x00M\xe1\xba\xadt kh\xe1\xba\xa9u")
    assert (creds.login, creds.password, creds.authzid) == ("vinhtv@dongnai.gov.vn", "Mật khẩu", "")
    assert "khẩu" not in repr(creds)
    for bad in (b"only-two\x00parts", b"\x00\x00", b"\x00a\x00\xff"):
        with pytest.raises(sasl.SaslError):
            sasl.decode_plain(bad)
    command = sasl.parse_command("plain " + base64.b64encode(b"\x00a\x00b").decode())
    assert command.mechanism == "PLAIN" and command.initial == b"\x00a\x00b"
    assert sasl.parse_command("LOGIN =").initial == b""
    with pytest.raises(sasl.SaslError):
        sasl.parse_command("PLAIN not*base64")


def test_forged_authentication_results_are_renamed() -> None:
    raw = (b"Authentication-Results: Mail.Dongnai.gov.vn; dmarc=pass\r\n"
           b"Authentication-Results: mx.google.com;\r\n spf=pass\r\n"
           b"Authentication-Results: (ours?) mail.dongnai.gov.vn.example; x=y\r\n\r\nAuthentication-Results: "
           b"mail.dongnai.gov.vn; in the body\r\n")
    renamed = rename_forged_results(raw, "mail.dongnai.gov.vn")
    assert renamed == b"X-Forged-" + raw
