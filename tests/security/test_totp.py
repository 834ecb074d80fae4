"""HOTP and TOTP against the published test vectors (RFC 4226 Appendix D, RFC 6238 Appendix B)."""

from __future__ import annotations

import base64

import pytest

from congvu.security import totp

RFC_SECRET = base64.b32encode(b"12345678901234567890").decode("ascii")  # the RFCs' ASCII key


def test_hotp_rfc4226_appendix_d() -> None:
    expected = ["755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871", "520489"]
    assert [totp.hotp(b"12345678901234567890", counter) for counter in range(10)] == expected


@pytest.mark.parametrize(("at", "code"), [(59, "94287082"), (1111111109, "07081804"), (1111111111, "14050471"),
                                          (1234567890, "89005924"), (2000000000, "69279037"),
                                          (20000000000, "65353130")])
def test_totp_rfc6238_appendix_b_sha1(at: int, code: str) -> None:
    assert totp.totp(RFC_SECRET, at, totp.TotpParameters(digits=8)) == code


def test_match_step_window_and_replay() -> None:
    secret = totp.new_secret()
    now = 1_700_000_000.0
    current = totp.time_step(now)
    assert totp.match_step(secret, totp.totp(secret, now), now) == current
    assert totp.match_step(secret, totp.totp(secret, now - 30), now) == current - 1  # one step of drift
    assert totp.match_step(secret, totp.totp(secret, now - 90), now) is None
    assert totp.match_step(secret, totp.totp(secret, now), now, last_used_step=current) is None
    code = totp.totp(secret, now)
    assert totp.match_step(secret, f"{code[:3]} {code[3:]}", now) == current
    assert totp.match_step(secret, "12345", now) is None


def test_secret_and_key_uri() -> None:
    secret = totp.new_secret()
    assert len(totp.decode_secret(secret)) == totp.SECRET_BYTES
    assert totp.decode_secret(totp.grouped(secret).lower()) == totp.decode_secret(secret)
    uri = totp.key_uri(secret, "vinhtv@dongnai.gov.vn", "dongnai.gov.vn")
    assert uri.startswith("otpauth://totp/dongnai.gov.vn:vinhtv@dongnai.gov.vn?")
    assert f"secret={secret}" in uri and "period=30" in uri and "digits=6" in uri
