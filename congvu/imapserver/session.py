"""The state of one IMAP session (RFC 9051 §3): not authenticated, authenticated, selected, logout; who is
signed in, which extensions the client turned on, the saved search result, and the capabilities advertised in
each state (RFC 9051 §6.1.1, §7.2.2).

Before TLS on the plain port the server offers STARTTLS and LOGINDISABLED and no AUTH= mechanism (RFC 9051
§6.2.3, RFC 8314 §4); once the connection is secure it offers AUTH=PLAIN and AUTH=LOGIN with SASL-IR (RFC
4959). After authentication it lists the extensions; COMPRESS=DEFLATE disappears once compression is on (RFC
4978 §3).

Extensions that change what the server sends are off until the client turns them on: ENABLE (RFC 5161) for
IMAP4rev2, UTF8=ACCEPT, CONDSTORE and QRESYNC, or, for CONDSTORE, the first command that uses a mod-sequence
(RFC 7162 §3.1).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from congvu.imapserver.selected import SelectedFolder

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


class State(StrEnum):
    NOT_AUTHENTICATED = "not authenticated"
    AUTHENTICATED = "authenticated"
    SELECTED = "selected"
    LOGOUT = "logout"


@dataclass(frozen=True)
class SignedIn:
    account_id: int
    address: str
    mechanism: str  # LOGIN, PLAIN, …


@dataclass
class Session:
    """Mutable per-connection state; one instance per connection, used by one task."""

    state: State = State.NOT_AUTHENTICATED
    user: SignedIn | None = None
    enabled: set[str] = field(default_factory=set)
    client_id: tuple[tuple[str, str | None], ...] | None = None
    selected: SelectedFolder | None = None
    saved_uids: tuple[int, ...] = ()  # RFC 5182 "$", as UIDs so expunges cannot shift it
    login_recorded: bool = True

    @property
    def account_id(self) -> int:
        if self.user is None:
            raise RuntimeError("no signed-in user")
        return self.user.account_id

    @property
    def utf8(self) -> bool:
        """Mailbox names and quoted strings in UTF-8 (RFC 6855 §3, RFC 9051 §5.1)."""
        return bool(self.enabled & {"UTF8=ACCEPT", "IMAP4REV2"})

    @property
    def rev2(self) -> bool:
        return "IMAP4REV2" in self.enabled

    @property
    def condstore(self) -> bool:
        return bool(self.enabled & {"CONDSTORE", "QRESYNC"})

    @property
    def qresync(self) -> bool:
        return "QRESYNC" in self.enabled

    def sign_in(self, user: SignedIn) -> None:
        self.user = user
        self.state = State.AUTHENTICATED
        self.login_recorded = False

    def select(self, folder: SelectedFolder) -> None:
        self.selected = folder
        self.state = State.SELECTED
        self.saved_uids = ()

    def unselect(self) -> SelectedFolder | None:
        """Leave the selected state; the caller closes what the folder held open."""
        folder, self.selected = self.selected, None
        if self.state is State.SELECTED:
            self.state = State.AUTHENTICATED
        self.saved_uids = ()
        return folder
