"""The SASL mechanisms SMTP AUTH offers (RFC 4954): PLAIN (RFC 4616) and LOGIN (draft-murchison-sasl-login),
both only under TLS. Decoding only; the credentials are checked by the sign-in service.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

MECHANISMS = ("PLAIN", "LOGIN")
LOGIN_USERNAME_CHALLENGE = "Username:"
LOGIN_PASSWORD_CHALLENGE = "Password:"


class SaslError(ValueError):
    """The client's SASL data cannot be decoded."""


@dataclass(frozen=True)
class Credentials:
    login: str
    password: str
    authzid: str = ""

    def __repr__(self) -> str:  # never print the password
        return f"Credentials(login={self.login!r})"


@dataclass(frozen=True)
class AuthCommand:
    mechanism: str
    initial: bytes | None  # decoded initial response (RFC 4954 §4); b"" for "="


def parse_command(arg: str | None) -> AuthCommand:
    parts = (arg or "").split()
    if not parts or len(parts) > 2:
        raise SaslError("AUTH needs a mechanism and at most one initial response")
    mechanism = parts[0].upper()
    initial = None
    if len(parts) == 2:
        initial = b"" if parts[1] == "=" else decode_base64(parts[1].encode("ascii", "replace"))
    return AuthCommand(mechanism, initial)


def decode_base64(data: bytes) -> bytes:
    try:
        return base64.b64decode(data.strip(), validate=True)
    except (binascii.Error, ValueError) as error:
        raise SaslError("not base64") from error


def _text(data: bytes) -> str:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise SaslError("credentials are not UTF-8") from error
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in text):
        raise SaslError("control characters in credentials")
    return text


def decode_plain(message: bytes) -> Credentials:
    """``[authzid] NUL authcid NUL passwd`` (RFC 4616 §2)."""
    pieces = message.split(b"\x00")
    if len(pieces) != 3:
        raise SaslError("PLAIN needs authzid, authcid and password separated by NUL")
    authzid, login, password = (_text(p) for p in pieces)
    if not login or not password:
        raise SaslError("empty login or password")
    return Credentials(login=login, password=password, authzid=authzid)


def login_value(data: bytes) -> str:
    text = _text(data)
    if not text:
        raise SaslError("empty login or password")
    return text
