"""The state of one IMAP session (RFC 9051 §3): not authenticated, authenticated, selected, logout; who is
signed in, which extensions the client turned on, and the saved search result.

Extensions that change what the server sends are off until the client turns them on: ENABLE (RFC 5161) for
IMAP4rev2, UTF8=ACCEPT, CONDSTORE and QRESYNC, or, for CONDSTORE, the first command that uses a mod-sequence
(RFC 7162 §3.1).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from congvu.imapserver.selected import SelectedFolder


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
