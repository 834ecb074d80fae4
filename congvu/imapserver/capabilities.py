"""The capabilities the server advertises, by connection state (RFC 9051 §6.1.1, §7.2.2).

Before TLS on the plain port the server offers STARTTLS and LOGINDISABLED and no AUTH= mechanism (RFC 9051
§6.2.3, RFC 8314 §4); once the connection is secure it offers AUTH=PLAIN and AUTH=LOGIN with SASL-IR (RFC
4959). After authentication it lists the extensions; COMPRESS=DEFLATE disappears once compression is on (RFC
4978 §3).
"""

from __future__ import annotations

BASE = ("IMAP4rev1", "IMAP4rev2")
# Offered in every state: the client may use them before it authenticates.
ANY_STATE = ("LITERAL+", "ID", "ENABLE", "SASL-IR")
AUTHENTICATED = (
    "IDLE",  # RFC 2177
    "NAMESPACE",  # RFC 2342
    "UNSELECT",  # RFC 3691
    "UIDPLUS",  # RFC 4315
    "MOVE",  # RFC 6851
    "CHILDREN",  # RFC 3348
    "SPECIAL-USE",  # RFC 6154
    "CREATE-SPECIAL-USE",  # RFC 6154 §3
    "LIST-EXTENDED",  # RFC 5258
    "LIST-STATUS",  # RFC 5819
    "CONDSTORE",  # RFC 7162
    "QRESYNC",  # RFC 7162
    "ESEARCH",  # RFC 4731
    "SEARCHRES",  # RFC 5182
    "SORT",  # RFC 5256
    "SORT=DISPLAY",  # RFC 5957
    "ESORT",  # RFC 5267
    "THREAD=ORDEREDSUBJECT",  # RFC 5256
    "THREAD=REFERENCES",  # RFC 5256
    "STATUS=SIZE",  # RFC 8438
    "QUOTA",  # RFC 9208
    "QUOTA=RES-STORAGE",
    "QUOTA=RES-MESSAGE",
    "ACL",  # RFC 4314
    "RIGHTS=kxte",  # RFC 4314 §2.1: the rights beyond RFC 2086 that are implemented
    "BINARY",  # RFC 3516
    "MULTIAPPEND",  # RFC 3502
    "UTF8=ACCEPT",  # RFC 6855
)
MECHANISMS = ("AUTH=PLAIN", "AUTH=LOGIN")

# ENABLE (RFC 5161) accepts these; QRESYNC implies CONDSTORE (RFC 7162 §3.2.3).
ENABLEABLE = frozenset({"CONDSTORE", "QRESYNC", "IMAP4REV2", "UTF8=ACCEPT"})


def capabilities(*, authenticated: bool, secure: bool, starttls_offered: bool, compressed: bool,
                 append_limit: int) -> tuple[str, ...]:
    """The CAPABILITY list for the connection's current state."""
    caps: list[str] = [*BASE]
    if not authenticated:
        if starttls_offered and not secure:
            caps += ["STARTTLS", "LOGINDISABLED"]
        else:
            caps += list(MECHANISMS)
        caps += list(ANY_STATE)
        return tuple(caps)
    caps += [c for c in ANY_STATE if c != "SASL-IR"]
    caps += list(AUTHENTICATED)
    caps.append(f"APPENDLIMIT={append_limit}")  # RFC 7889
    if not compressed:
        caps.append("COMPRESS=DEFLATE")  # RFC 4978
    return tuple(caps)
