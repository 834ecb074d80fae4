"""The DSN request a sender makes in the envelope (RFC 3461): what it wants to hear about and how.

On ``MAIL``: ``RET=FULL|HDRS`` (return the whole message or only its header section in a failure report) and
``ENVID=<xtext>`` (an identifier echoed in every report as ``Original-Envelope-Id``). On ``RCPT``:
``NOTIFY=NEVER`` or a list of ``SUCCESS``, ``FAILURE``, ``DELAY``, and ``ORCPT=<addr-type>;<xtext>`` (the
address the sender originally wrote, echoed as ``Original-Recipient``). Values keep the case the client sent:
``ENVID`` and ``ORCPT`` are opaque to us. Parsing raises :class:`DsnSyntaxError` with a reason the SMTP
server puts in its ``501`` reply. Without ``NOTIFY`` a recipient gets what RFC 3461 §4.1 leaves to the server:
failure reports and delay warnings.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

SUCCESS, FAILURE, DELAY, NEVER = "SUCCESS", "FAILURE", "DELAY", "NEVER"
MAIL_KEYWORDS = frozenset({"RET", "ENVID"})
RCPT_KEYWORDS = frozenset({"NOTIFY", "ORCPT"})
MAX_ENVID = 100  # RFC 3461 §4.4: at most 100 characters (after decoding)
MAX_ORCPT = 500  # RFC 3461 §4.2: the whole parameter value stays within a 500-octet limit
_XTEXT = re.compile(r"(?:[!-*,-<>-~]|\+[0-9A-Fa-f]{2})*")  # RFC 3461 §4: printable ASCII but "+" and "=", or +HH
_ADDR_TYPE = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+")  # an atom (RFC 3461 §4.2)


class DsnSyntaxError(ValueError):
    """A DSN parameter that does not follow RFC 3461; the text says what is wrong (English, for the reply)."""


def xtext_decode(value: str) -> str:
    if not _XTEXT.fullmatch(value):
        raise DsnSyntaxError("is not valid xtext (printable ASCII; '+' and '=' written as +2B and +3D)")
    return re.sub(r"\+([0-9A-Fa-f]{2})", lambda m: chr(int(m.group(1), 16)), value)


def _utf8_addr_decode(value: str) -> str:
    """RFC 6533 §3: utf-8-addr-xtext/unitext, with ``\\x{HHHH}`` for characters written as escapes."""
    if any(ord(c) < 0x21 or ord(c) == 0x7F or 0xDC80 <= ord(c) <= 0xDCFF for c in value):
        raise DsnSyntaxError("is not valid utf-8-addr text")
    return re.sub(r"\\x\{([0-9A-Fa-f]{1,6})\}", lambda m: chr(int(m.group(1), 16)), value)


def xtext_encode(value: str) -> str:
    """RFC 3461 §4: characters outside ``!``..``~``, ``+`` and ``=`` as ``+HH`` (UTF-8 octets when not ASCII)."""
    out = []
    for octet in value.encode("utf-8"):
        char = chr(octet)
        out.append(char if 33 <= octet <= 126 and char not in "+=" else f"+{octet:02X}")
    return "".join(out)


def _utf8_addr_encode(value: str) -> str:
    return "".join(c if (0x21 <= ord(c) <= 0x7E and c not in "+=\\") or ord(c) > 0x7F else f"\\x{{{ord(c):X}}}"
                   for c in value)


@dataclass(frozen=True)
class DsnEnvelope:
    """The per-message part of the request (``MAIL`` parameters)."""

    ret: str | None = None  # FULL | HDRS | None (not said: headers only)
    envid: str | None = None  # decoded

    @property
    def full(self) -> bool:
        return self.ret == "FULL"

    def mail_options(self) -> list[str]:
        """The ``MAIL`` parameters that pass the request on to a next hop offering DSN."""
        options = [f"RET={self.ret}"] if self.ret else []
        if self.envid is not None:
            options.append(f"ENVID={xtext_encode(self.envid)}")
        return options


@dataclass(frozen=True)
class DsnRecipient:
    """The per-recipient part (``RCPT`` parameters)."""

    notify: frozenset[str] | None = None  # None: not said
    orcpt: str | None = None  # "addr-type;address", the address decoded

    def wants(self, kind: str) -> bool:
        """Whether a report of ``kind`` (SUCCESS, FAILURE, DELAY) goes to the sender for this recipient."""
        if self.notify is None:
            return kind in (FAILURE, DELAY)
        return kind in self.notify

    @property
    def notify_text(self) -> str | None:
        if self.notify is None:
            return None
        return ",".join(k for k in (NEVER, SUCCESS, FAILURE, DELAY) if k in self.notify)

    def rcpt_options(self) -> list[str]:
        options = [f"NOTIFY={self.notify_text}"] if self.notify is not None else []
        if self.orcpt is not None:
            kind, _, address = self.orcpt.partition(";")
            encoded = _utf8_addr_encode(address) if kind == "utf-8" else xtext_encode(address)
            options.append(f"ORCPT={kind};{encoded}")
        return options

    @classmethod
    def stored(cls, notify: str | None, orcpt: str | None) -> DsnRecipient:
        return cls(frozenset(notify.split(",")) if notify else None, orcpt)


NO_REQUEST = DsnEnvelope()
NOT_SAID = DsnRecipient()


def _pairs(tokens: Iterable[str], allowed: frozenset[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for token in tokens:
        keyword, eq, value = token.partition("=")
        keyword = keyword.upper()
        if keyword not in allowed:
            raise DsnSyntaxError(f"{keyword} is not a parameter of this command")
        if not eq or not value:
            raise DsnSyntaxError(f"{keyword} needs a value")
        if keyword in found:
            raise DsnSyntaxError(f"{keyword} given twice")
        found[keyword] = value
    return found


def parse_mail(tokens: Iterable[str]) -> DsnEnvelope:
    """``RET`` and ``ENVID`` from the ``MAIL`` parameters given as ``KEYWORD=value`` tokens."""
    found = _pairs(tokens, MAIL_KEYWORDS)
    ret = found.get("RET")
    if ret is not None:
        ret = ret.upper()
        if ret not in ("FULL", "HDRS"):
            raise DsnSyntaxError("RET must be FULL or HDRS")
    envid = found.get("ENVID")
    if envid is not None:
        try:
            envid = xtext_decode(envid)
        except DsnSyntaxError as exc:
            raise DsnSyntaxError(f"ENVID {exc}") from None
        if len(envid) > MAX_ENVID:
            raise DsnSyntaxError(f"ENVID is longer than {MAX_ENVID} characters")
    return DsnEnvelope(ret, envid)


def parse_rcpt(tokens: Iterable[str]) -> DsnRecipient:
    """``NOTIFY`` and ``ORCPT`` from the ``RCPT`` parameters given as ``KEYWORD=value`` tokens."""
    found = _pairs(tokens, RCPT_KEYWORDS)
    notify: frozenset[str] | None = None
    if "NOTIFY" in found:
        words = [w.upper() for w in found["NOTIFY"].split(",")]
        if any(w not in (NEVER, SUCCESS, FAILURE, DELAY) for w in words) or len(set(words)) != len(words):
            raise DsnSyntaxError("NOTIFY must be NEVER or a list of SUCCESS, FAILURE and DELAY")
        if NEVER in words and len(words) > 1:
            raise DsnSyntaxError("NOTIFY=NEVER cannot be combined with other values")
        notify = frozenset(words)
    orcpt: str | None = None
    if "ORCPT" in found:
        value = found["ORCPT"]
        if len(value) > MAX_ORCPT:
            raise DsnSyntaxError(f"ORCPT is longer than {MAX_ORCPT} characters")
        kind, semi, encoded = value.partition(";")
        if not semi or not _ADDR_TYPE.fullmatch(kind) or not encoded:
            raise DsnSyntaxError("ORCPT must be addr-type;address (e.g. rfc822;user@example.org)")
        try:
            address = _utf8_addr_decode(encoded) if kind.lower() == "utf-8" else xtext_decode(encoded)
        except DsnSyntaxError as exc:
            raise DsnSyntaxError(f"ORCPT {exc}") from None
        if kind.lower() in ("rfc822", "utf-8") and "@" not in address:
            raise DsnSyntaxError("ORCPT rfc822 address must be local-part@domain")
        orcpt = f"{kind.lower()};{address}"
    return DsnRecipient(notify, orcpt)


__all__ = ["DELAY", "FAILURE", "MAIL_KEYWORDS", "NEVER", "NOT_SAID", "NO_REQUEST", "RCPT_KEYWORDS", "SUCCESS",
           "DsnEnvelope", "DsnRecipient", "DsnSyntaxError", "parse_mail", "parse_rcpt", "xtext_decode",
           "xtext_encode"]
