"""AUTHENTICATE PLAIN (RFC 4616) and LOGIN exchanges, with and without SASL-IR."""

import base64

import pytest

from congvu.imap.parser import parse_command
from congvu.imap.sasl import (
    SaslCancelled,
    SaslChallenge,
    SaslCredentials,
    SaslError,
    SaslExchange,
    decode_response,
    parse_plain,
)


def b64(data: bytes) -> bytes:
    return base64.b64encode(data)


def test_plain_with_initial_response_from_the_command() -> None:
    command = parse_command(b"a AUTHENTICATE PLAIN " + b64("\0tvvinh@dongnai.gov.vn\0bí mật".encode()))
    exchange = SaslExchange(command.mechanism)  # type: ignore[attr-defined]
    step = exchange.start(command.initial_response)  # type: ignore[attr-defined]
    assert step == SaslCredentials("tvvinh@dongnai.gov.vn", "bí mật", "")
    assert exchange.finished


def test_plain_without_initial_response() -> None:
    exchange = SaslExchange("plain")
    challenge = exchange.start(None)
    assert challenge == SaslChallenge(b"")
    assert challenge.line() == b"+ \r\n"
    step = exchange.respond(
        decode_response(b64(b"admin@dongnai.gov.vn\0tvvinh@dongnai.gov.vn\0pw") + b"\r\n")
    )
    assert step == SaslCredentials("tvvinh@dongnai.gov.vn", "pw", "admin@dongnai.gov.vn")
    with pytest.raises(SaslError):
        exchange.respond(b"")


def test_login_exchange() -> None:
    exchange = SaslExchange("LOGIN")
    first = exchange.start(None)
    assert isinstance(first, SaslChallenge) and first.line() == b"+ VXNlcm5hbWU6\r\n"
    second = exchange.respond(decode_response(b64(b"tvvinh@dongnai.gov.vn")))
    assert isinstance(second, SaslChallenge) and second.line() == b"+ UGFzc3dvcmQ6\r\n"
    assert exchange.respond(decode_response(b64("mật khẩu".encode()))) == SaslCredentials(
        "tvvinh@dongnai.gov.vn", "mật khẩu"
    )


def test_login_with_initial_response_is_the_username() -> None:
    exchange = SaslExchange("LOGIN")
    assert exchange.start(b"nguyenvana") == SaslChallenge(b"Password:")
    assert exchange.respond(b"x") == SaslCredentials("nguyenvana", "x")


def test_cancel_and_bad_base64() -> None:
    with pytest.raises(SaslCancelled):
        decode_response(b"*")
    with pytest.raises(SaslError):
        decode_response(b"not base64!")
    assert decode_response(b"") == b""


@pytest.mark.parametrize(
    "message",
    [
        b"no-nul-at-all",
        b"\0only-user",
        b"\0\0password",
        b"\0user\0",
        b"a\0b\0c\0d",
        b"\0\xff\xfe\0pw",
        b"\0" + b"u" * 256 + b"\0p",
    ],
)
def test_malformed_plain(message: bytes) -> None:
    with pytest.raises(SaslError):
        parse_plain(message)


def test_unknown_mechanism() -> None:
    with pytest.raises(SaslError) as caught:
        SaslExchange("CRAM-MD5")
    assert "CRAM-MD5" in caught.value.message_en


def test_password_is_not_in_repr() -> None:
    assert "secret" not in repr(SaslCredentials("u", "secret"))
    assert "secret" not in repr(parse_command(b"a LOGIN u secret"))
