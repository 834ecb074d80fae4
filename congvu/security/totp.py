"""Time-based one-time passwords for two-step sign-in: HOTP (RFC 4226) and TOTP (RFC 6238).

Secrets are 160 random bits (RFC 4226 §4 R6 recommends that length), shown to people as unpadded base32 (RFC 4648
§6) and to authenticator apps as an ``otpauth://totp/`` key URI. Pure: the clock is the caller's.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import struct
from dataclasses import dataclass
from urllib.parse import quote, urlencode

from congvu.errors import InvalidInput

SECRET_BYTES = 20
DEFAULT_STEP_S = 30  # RFC 6238 §4.1: X = 30 seconds is the recommended default
DEFAULT_DIGITS = 6


@dataclass(frozen=True)
class TotpParameters:
    step_s: int = DEFAULT_STEP_S
    digits: int = DEFAULT_DIGITS
    t0: int = 0  # RFC 6238 §4.1: T0, the Unix time to start counting steps from


def new_secret() -> str:
    """A fresh shared secret as unpadded upper-case base32."""
    return base64.b32encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii").rstrip("=")


def decode_secret(secret: str) -> bytes:
    text = "".join(secret.split()).upper()
    try:
        return base64.b32decode(text + "=" * (-len(text) % 8))
    except ValueError as exc:
        raise InvalidInput("Khoá bí mật TOTP không hợp lệ (base32).", message_en="Bad TOTP secret (base32).",
                           field="secret") from exc


def hotp(key: bytes, counter: int, digits: int = DEFAULT_DIGITS) -> str:
    """RFC 4226 §5.3: HMAC-SHA-1 over the 8-byte counter, dynamic truncation, modulo 10^digits."""
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F  # RFC 4226 §5.4: the low 4 bits of the last byte
    code = struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF
    return str(code % 10 ** digits).zfill(digits)


def time_step(at: float, params: TotpParameters = TotpParameters()) -> int:
    """RFC 6238 §4.2: T = floor((Current Unix time - T0) / X)."""
    return int((at - params.t0) // params.step_s)


def totp(secret: str, at: float, params: TotpParameters = TotpParameters()) -> str:
    return hotp(decode_secret(secret), time_step(at, params), params.digits)


def clean_code(code: str) -> str:
    """Codes are typed with spaces or dashes ("123 456"); keep the digits."""
    return "".join(c for c in code if c.isdigit())


def match_step(secret: str, code: str, at: float, *, window: int = 1, last_used_step: int | None = None,
               params: TotpParameters = TotpParameters()) -> int | None:
    """The time step the code belongs to, or None.

    ``window`` steps either side absorb clock drift (RFC 6238 §5.2 recommends at most one step of network delay);
    a step at or before ``last_used_step`` is refused so that one code cannot be used twice (RFC 6238 §5.2).
    """
    digits = clean_code(code)
    if len(digits) != params.digits:
        return None
    key = decode_secret(secret)
    current = time_step(at, params)
    for step in sorted(range(current - window, current + window + 1), key=lambda s: abs(s - current)):
        if last_used_step is not None and step <= last_used_step:
            continue
        if hmac.compare_digest(hotp(key, step, params.digits), digits):
            return step
    return None


def key_uri(secret: str, account: str, issuer: str, params: TotpParameters = TotpParameters()) -> str:
    """The ``otpauth://totp/ISSUER:ACCOUNT?secret=…`` URI authenticator apps read from a QR code."""
    label = quote(f"{issuer}:{account}", safe="@:")
    query = urlencode({"secret": secret, "issuer": issuer, "algorithm": "SHA1", "digits": params.digits,
                       "period": params.step_s}, quote_via=quote)
    return f"otpauth://totp/{label}?{query}"


def grouped(secret: str) -> str:
    """The secret in groups of four for typing by hand."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))
