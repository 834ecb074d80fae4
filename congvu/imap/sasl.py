"""The server side of the SASL mechanisms offered to mail clients: PLAIN (RFC 4616) and LOGIN (the
de-facto mechanism of draft-murchison-sasl-login, still the only one some Outlook versions offer), with the
base64 framing of IMAP AUTHENTICATE (RFC 9051 §6.2.2) and SASL-IR (RFC 4959).

:class:`SaslExchange` is a small state machine: give it the client's responses, it answers with the next
challenge or with the credentials to check. Checking them is the caller's business.
"""

from __future__ import annotations

import base64
import binascii
import unicodedata
from dataclasses import dataclass, field

from congvu.errors import InvalidInput

MECHANISMS = ("PLAIN", "LOGIN")
MAX_FIELD_BYTES = 255  # RFC 4616 §2: authzid, authcid and passwd are at most 255 octets each


class SaslError(InvalidInput):
    """A malformed SASL message; the server answers ``BAD`` (or ``NO [AUTHENTICATIONFAILED]``)."""


class SaslCancelled(SaslError):
    """The client answered ``*``: RFC 9051 §6.2.2 requires a tagged BAD."""

    def __init__(self) -> None:
        super().__init__("Máy khách đã huỷ xác thực", message_en="Authentication cancelled by the client")


@dataclass(frozen=True)
class SaslChallenge:
    """Send ``+ <base64 of data>`` (``+ `` alone when empty) and read one more line."""

    data: bytes = b""

    def line(self) -> bytes:
        return b"+ " + base64.b64encode(self.data) + b"\r\n"


@dataclass(frozen=True)
class SaslCredentials:
    username: str
    password: str = field(repr=False)
    authzid: str = ""  # the identity to act as; empty means the same as username


SaslStep = SaslChallenge | SaslCredentials


def decode_response(line: bytes) -> bytes:
    """A client continuation line: base64, or ``*`` to cancel."""
    line = line.strip()
    if line == b"*":
        raise SaslCancelled()
    try:
        return base64.b64decode(line, validate=True)
    except (binascii.Error, ValueError):
        raise SaslError(
            "Phản hồi xác thực không phải base64", message_en="Authentication response is not base64"
        ) from None


def _text(data: bytes, what: str) -> str:
    if len(data) > MAX_FIELD_BYTES:
        raise SaslError(f"Trường {what} quá dài", message_en=f"SASL {what} field too long")
    try:
        return unicodedata.normalize("NFC", data.decode("utf-8"))
    except UnicodeDecodeError:
        raise SaslError(f"Trường {what} không phải UTF-8", message_en=f"SASL {what} is not UTF-8") from None


def parse_plain(message: bytes) -> SaslCredentials:
    """RFC 4616 §2: ``[authzid] NUL authcid NUL passwd``."""
    parts = message.split(b"\x00")
    if len(parts) != 3 or not parts[1] or not parts[2]:
        raise SaslError("Thông điệp PLAIN sai định dạng", message_en="Malformed PLAIN message")
    authzid = _text(parts[0], "authzid")
    authcid = _text(parts[1], "authcid")
    password = _text(parts[2], "passwd")
    return SaslCredentials(authcid, password, authzid)


class SaslExchange:
    """One AUTHENTICATE exchange for PLAIN or LOGIN."""

    USERNAME_PROMPT = b"Username:"
    PASSWORD_PROMPT = b"Password:"

    def __init__(self, mechanism: str) -> None:
        self.mechanism = mechanism.upper()
        if self.mechanism not in MECHANISMS:
            raise SaslError(
                f"Cơ chế xác thực không hỗ trợ: {mechanism}",
                message_en=f"Unsupported authentication mechanism: {mechanism}",
            )
        self._username: str | None = None
        self.finished = False

    def start(self, initial_response: bytes | None) -> SaslStep:
        """The first step: with a SASL-IR initial response, or an (empty or prompt) challenge."""
        if initial_response is None:
            return SaslChallenge(b"" if self.mechanism == "PLAIN" else self.USERNAME_PROMPT)
        return self.respond(initial_response)

    def respond(self, response: bytes) -> SaslStep:
        """The client's decoded response to the last challenge."""
        if self.finished:
            raise SaslError("Xác thực đã kết thúc", message_en="Authentication already finished")
        if self.mechanism == "PLAIN":
            self.finished = True
            return parse_plain(response)
        if self._username is None:
            self._username = _text(response, "username")
            return SaslChallenge(self.PASSWORD_PROMPT)
        self.finished = True
        return SaslCredentials(self._username, _text(response, "password"))
