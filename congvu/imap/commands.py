"""One frozen dataclass per IMAP command (RFC 9051 §6 and the extensions the server implements).

Every command carries its ``tag``; commands that exist in a ``UID`` form carry ``uid``. Mailbox names are
decoded text (NFC, INBOX folded); strings that are not names (passwords, search strings) are decoded UTF-8.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import ClassVar

from congvu.imap.fetch import FetchAttribute
from congvu.imap.search import SearchKey
from congvu.imap.sequence import SequenceSet


@dataclass(frozen=True)
class Command:
    tag: str
    name: ClassVar[str] = ""


# -- any state (RFC 9051 §6.1)
@dataclass(frozen=True, kw_only=True)
class Capability(Command):
    name: ClassVar[str] = "CAPABILITY"


@dataclass(frozen=True, kw_only=True)
class Noop(Command):
    name: ClassVar[str] = "NOOP"


@dataclass(frozen=True, kw_only=True)
class Logout(Command):
    name: ClassVar[str] = "LOGOUT"


@dataclass(frozen=True, kw_only=True)
class Id(Command):
    """RFC 2971: the client's identification, or None for ``ID NIL``."""

    parameters: tuple[tuple[str, str | None], ...] | None = None
    name: ClassVar[str] = "ID"


@dataclass(frozen=True, kw_only=True)
class Compress(Command):
    """RFC 4978: start DEFLATE compression after the tagged OK."""

    mechanism: str
    name: ClassVar[str] = "COMPRESS"


# -- not authenticated (RFC 9051 §6.2)
@dataclass(frozen=True, kw_only=True)
class StartTls(Command):
    name: ClassVar[str] = "STARTTLS"


@dataclass(frozen=True, kw_only=True)
class Authenticate(Command):
    """SASL exchange; ``initial_response`` is the decoded SASL-IR (RFC 4959), ``b""`` for ``=``."""

    mechanism: str
    initial_response: bytes | None = None
    name: ClassVar[str] = "AUTHENTICATE"


@dataclass(frozen=True, kw_only=True)
class Login(Command):
    username: str
    password: str = field(repr=False)
    name: ClassVar[str] = "LOGIN"


# -- authenticated (RFC 9051 §6.3)
@dataclass(frozen=True, kw_only=True)
class Enable(Command):
    capabilities: tuple[str, ...]
    name: ClassVar[str] = "ENABLE"


@dataclass(frozen=True)
class QResync:
    """QRESYNC parameters of SELECT/EXAMINE (RFC 7162 §3.2.5)."""

    uidvalidity: int
    modseq: int
    known_uids: SequenceSet | None = None
    known_sequences: SequenceSet | None = None
    known_sequence_uids: SequenceSet | None = None


@dataclass(frozen=True, kw_only=True)
class Select(Command):
    mailbox: str
    condstore: bool = False
    qresync: QResync | None = None
    name: ClassVar[str] = "SELECT"

    @property
    def read_only(self) -> bool:
        return False


@dataclass(frozen=True, kw_only=True)
class Examine(Select):
    name: ClassVar[str] = "EXAMINE"

    @property
    def read_only(self) -> bool:
        return True


@dataclass(frozen=True, kw_only=True)
class Create(Command):
    """CREATE, with the SPECIAL-USE attributes of RFC 6154 §3 (``USE (\\Sent)``)."""

    mailbox: str
    special_use: tuple[str, ...] = ()
    name: ClassVar[str] = "CREATE"


@dataclass(frozen=True, kw_only=True)
class Delete(Command):
    mailbox: str
    name: ClassVar[str] = "DELETE"


@dataclass(frozen=True, kw_only=True)
class Rename(Command):
    mailbox: str
    new_name: str
    name: ClassVar[str] = "RENAME"


@dataclass(frozen=True, kw_only=True)
class Subscribe(Command):
    mailbox: str
    name: ClassVar[str] = "SUBSCRIBE"


@dataclass(frozen=True, kw_only=True)
class Unsubscribe(Command):
    mailbox: str
    name: ClassVar[str] = "UNSUBSCRIBE"


@dataclass(frozen=True, kw_only=True)
class List(Command):
    """LIST with LIST-EXTENDED (RFC 5258), LIST-STATUS (RFC 5819) and SPECIAL-USE (RFC 6154) options.

    ``extended`` is true when the client used the extended syntax (options or several patterns), which
    changes what the server must return (RFC 5258 §3).
    """

    reference: str
    patterns: tuple[str, ...]
    select_options: frozenset[str] = frozenset()
    return_options: frozenset[str] = frozenset()
    status_items: tuple[str, ...] = ()
    extended: bool = False
    name: ClassVar[str] = "LIST"


@dataclass(frozen=True, kw_only=True)
class Lsub(Command):
    reference: str
    pattern: str
    name: ClassVar[str] = "LSUB"


@dataclass(frozen=True, kw_only=True)
class Namespace(Command):
    name: ClassVar[str] = "NAMESPACE"


@dataclass(frozen=True, kw_only=True)
class Status(Command):
    mailbox: str
    items: tuple[str, ...]
    name: ClassVar[str] = "STATUS"


@dataclass(frozen=True)
class AppendMessage:
    """One message of APPEND (several with MULTIAPPEND, RFC 3502)."""

    data: bytes = field(repr=False)
    flags: tuple[str, ...] = ()
    internal_date: datetime | None = None
    binary: bool = False  # sent as literal8 (RFC 3516 §4.4)
    utf8: bool = False  # sent as UTF8 (~{n}) (RFC 6855 §4)


@dataclass(frozen=True, kw_only=True)
class Append(Command):
    mailbox: str
    messages: tuple[AppendMessage, ...]
    name: ClassVar[str] = "APPEND"


@dataclass(frozen=True, kw_only=True)
class Idle(Command):
    name: ClassVar[str] = "IDLE"


# -- quota (RFC 9208) and access control (RFC 4314)
@dataclass(frozen=True, kw_only=True)
class GetQuota(Command):
    root: str
    name: ClassVar[str] = "GETQUOTA"


@dataclass(frozen=True, kw_only=True)
class GetQuotaRoot(Command):
    mailbox: str
    name: ClassVar[str] = "GETQUOTAROOT"


@dataclass(frozen=True, kw_only=True)
class SetQuota(Command):
    root: str
    limits: tuple[tuple[str, int], ...]
    name: ClassVar[str] = "SETQUOTA"


class RightsChange(StrEnum):
    REPLACE = ""
    ADD = "+"
    REMOVE = "-"


@dataclass(frozen=True, kw_only=True)
class SetAcl(Command):
    mailbox: str
    identifier: str
    rights: str
    change: RightsChange = RightsChange.REPLACE
    name: ClassVar[str] = "SETACL"


@dataclass(frozen=True, kw_only=True)
class DeleteAcl(Command):
    mailbox: str
    identifier: str
    name: ClassVar[str] = "DELETEACL"


@dataclass(frozen=True, kw_only=True)
class GetAcl(Command):
    mailbox: str
    name: ClassVar[str] = "GETACL"


@dataclass(frozen=True, kw_only=True)
class ListRights(Command):
    mailbox: str
    identifier: str
    name: ClassVar[str] = "LISTRIGHTS"


@dataclass(frozen=True, kw_only=True)
class MyRights(Command):
    mailbox: str
    name: ClassVar[str] = "MYRIGHTS"


# -- selected (RFC 9051 §6.4)
@dataclass(frozen=True, kw_only=True)
class Check(Command):
    name: ClassVar[str] = "CHECK"


@dataclass(frozen=True, kw_only=True)
class Close(Command):
    name: ClassVar[str] = "CLOSE"


@dataclass(frozen=True, kw_only=True)
class Unselect(Command):
    name: ClassVar[str] = "UNSELECT"


@dataclass(frozen=True, kw_only=True)
class Expunge(Command):
    """EXPUNGE, or UID EXPUNGE (RFC 4315 §2.1) when ``uids`` is given."""

    uids: SequenceSet | None = None
    name: ClassVar[str] = "EXPUNGE"

    @property
    def uid(self) -> bool:
        return self.uids is not None


@dataclass(frozen=True, kw_only=True)
class Search(Command):
    """SEARCH; ``return_options`` is set when RETURN (ESEARCH, RFC 4731) was used."""

    key: SearchKey
    charset: str | None = None
    return_options: frozenset[str] | None = None
    uid: bool = False
    name: ClassVar[str] = "SEARCH"


@dataclass(frozen=True, kw_only=True)
class Fetch(Command):
    sequence: SequenceSet
    attributes: tuple[FetchAttribute, ...]
    changed_since: int | None = None  # RFC 7162 §3.1.4.1
    vanished: bool = False  # RFC 7162 §3.2.6, UID FETCH only
    uid: bool = False
    name: ClassVar[str] = "FETCH"


class StoreMode(StrEnum):
    REPLACE = "FLAGS"
    ADD = "+FLAGS"
    REMOVE = "-FLAGS"


@dataclass(frozen=True, kw_only=True)
class Store(Command):
    sequence: SequenceSet
    mode: StoreMode = StoreMode.REPLACE
    flags: tuple[str, ...]
    silent: bool = False
    unchanged_since: int | None = None  # RFC 7162 §3.1.3
    uid: bool = False
    name: ClassVar[str] = "STORE"


@dataclass(frozen=True, kw_only=True)
class Copy(Command):
    sequence: SequenceSet
    mailbox: str
    uid: bool = False
    name: ClassVar[str] = "COPY"


@dataclass(frozen=True, kw_only=True)
class Move(Command):
    sequence: SequenceSet
    mailbox: str
    uid: bool = False
    name: ClassVar[str] = "MOVE"


@dataclass(frozen=True)
class SortCriterion:
    key: str  # ARRIVAL CC DATE FROM SIZE SUBJECT TO DISPLAYFROM DISPLAYTO
    reverse: bool = False


@dataclass(frozen=True, kw_only=True)
class Sort(Command):
    criteria: tuple[SortCriterion, ...]
    charset: str = "UTF-8"
    key: SearchKey
    return_options: frozenset[str] | None = None  # ESORT (RFC 5267 §3)
    uid: bool = False
    name: ClassVar[str] = "SORT"


@dataclass(frozen=True, kw_only=True)
class Thread(Command):
    algorithm: str
    charset: str = "UTF-8"
    key: SearchKey
    uid: bool = False
    name: ClassVar[str] = "THREAD"
