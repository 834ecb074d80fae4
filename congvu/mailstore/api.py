"""The mail store's contract: the values it hands out and the operations the SMTP, IMAP and web adapters call.

:class:`MailStoreApi` lists every operation of the synchronous service (:class:`congvu.mailstore.service.
MailStore`); :class:`congvu.mailstore.aio.AsyncMailStore` offers the same methods as coroutines, run on a
bounded thread pool, for the asyncio servers. Adapters never see SQL.

Conventions
- ``viewer_id`` is the authenticated account. Every operation on a folder checks the viewer's rights on the
  folder (RFC 4314 letters, :class:`Rights`): the owner has all of them, an account named in the folder's ACL
  (SETACL) those of its entry, else a delegate of an agency mailbox those in ``mailbox_delegates`` (the agency's
  administrator holds ``a`` besides), anyone else none (a folder they cannot see is :class:`NotFound`, one they see
  without the needed right :class:`PermissionDenied`). Rights are read on every call, so a removed delegate
  loses access at once.
- Folders are addressed by id after :meth:`MailStoreApi.find_folder`. A folder's ``path`` is what a client sees:
  the name itself for the viewer's own folders, ``Shared/<owner address>/<name>`` for someone else's folder
  (an agency mailbox the viewer is a delegate of, a folder shared with it through SETACL): RFC 2342 other
  users' namespace ``Shared/``, delimiter ``/``.
- UID arguments (:data:`UidArg`) take any iterable of UIDs or an object with ``ranges`` (such as
  :class:`congvu.imap.sequence.NumberSet`); UIDs that do not exist are ignored.
- ``\\Seen`` on a shared mailbox is per user: the owner's is stored on the message, a delegate's apart
  (RFC 4314 §4 right ``s``), so clerks of one agency each have their own unread mail.
- \\Recent (IMAP4rev1 only) is not a stored flag: :meth:`MailStoreApi.claim_recent` hands each new message to
  exactly one session.
- Errors: :class:`congvu.errors.NotFound` (folder or message; the IMAP server answers ``[TRYCREATE]`` for a
  missing target of APPEND/COPY/MOVE), :class:`PermissionDenied`, :class:`Conflict` (name taken, INBOX,
  children), :class:`InvalidInput` (bad name or flag).
- Every mutating operation commits, then publishes a :class:`congvu.mailstore.notify.MailboxEvent`; sessions
  subscribe per folder (``AsyncMailStore.subscribe``) and on an event call :meth:`MailStoreApi.changes_since`.
- SEARCH and SORT take storage-level criteria (:mod:`congvu.mailstore.criteria`), usable by the webmail as is;
  :mod:`congvu.mailstore.imapsearch` turns an IMAP search program into them (``from_imap`` with the session's
  UIDs by message number, its saved ``$`` and its \\Recent UIDs), and SORT criteria and STORE modes too
  (``sort_order``, ``flag_mode``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from functools import cached_property
from typing import Protocol

from congvu.mail.index import parts_from_json
from congvu.mail.mime import PartSpan
from congvu.mailstore.criteria import (
    MATCH_ALL,
    AllOf,
    AnyOf,
    Criterion,
    DateCompare,
    DateField,
    DateMatch,
    HasFlag,
    HeaderContains,
    MatchAll,
    ModSeqAtLeast,
    Not,
    SizeMatch,
    SortKey,
    SortOrder,
    TextContains,
    TextField,
    UidIn,
)

SHARED_ROOT = "Shared"
DELIMITER = "/"
INBOX = "INBOX"

SEEN, ANSWERED, FLAGGED, DELETED, DRAFT = "\\Seen", "\\Answered", "\\Flagged", "\\Deleted", "\\Draft"
RECENT = "\\Recent"
SYSTEM_FLAGS = (SEEN, ANSWERED, FLAGGED, DELETED, DRAFT)
ALL_RIGHTS = "lrswipkxtea"  # RFC 4314 §2.1


class SpecialUse(StrEnum):
    """RFC 6154 special-use attributes."""

    SENT = "\\Sent"
    DRAFTS = "\\Drafts"
    TRASH = "\\Trash"
    JUNK = "\\Junk"
    ARCHIVE = "\\Archive"


# Created for every account on first use; these English names are the names on the wire.
DEFAULT_FOLDERS: tuple[tuple[str, SpecialUse | None], ...] = (
    (INBOX, None),
    ("Sent", SpecialUse.SENT),
    ("Drafts", SpecialUse.DRAFTS),
    ("Trash", SpecialUse.TRASH),
    ("Junk", SpecialUse.JUNK),
    ("Archive", SpecialUse.ARCHIVE),
)


class FlagMode(StrEnum):
    """STORE FLAGS / +FLAGS / -FLAGS (RFC 9051 §6.4.6)."""

    REPLACE = "replace"
    ADD = "add"
    REMOVE = "remove"


class UidRanges(Protocol):
    @property
    def ranges(self) -> tuple[tuple[int, int], ...]: ...


UidArg = Iterable[int] | UidRanges


@dataclass(frozen=True)
class Rights:
    """RFC 4314 rights letters a viewer holds on a mailbox's folders."""

    letters: str

    def __contains__(self, letter: object) -> bool:
        return isinstance(letter, str) and len(letter) == 1 and letter in self.letters

    def __bool__(self) -> bool:
        return bool(self.letters)


class AclSource(StrEnum):
    """Where an ACL entry (RFC 4314) comes from."""

    OWNER = "owner"  # the mailbox's owner: every right, always
    DIRECTORY = "directory"  # a clerk's delegation on an agency mailbox, managed in the directory
    FOLDER = "folder"  # an entry set on this folder with SETACL
    NONE = "none"  # no entry (after SETACL took every right from an account with no delegation)


@dataclass(frozen=True)
class AclEntry:
    """One ``identifier rights`` pair of GETACL; the identifier is an account's address."""

    identifier: str
    rights: str
    source: AclSource


@dataclass(frozen=True)
class FolderInfo:
    id: int
    owner_id: int
    owner_address: str
    name: str  # NFC, "/" between levels, unique per owner
    path: str  # as the viewer sees it: name, or "Shared/<owner address>/<name>"
    special_use: str | None
    uidvalidity: int
    uidnext: int
    highestmodseq: int
    subscribed: bool
    rights: Rights
    has_children: bool = False

    @property
    def shared(self) -> bool:
        return self.path != self.name


@dataclass(frozen=True)
class FolderStatus:
    """STATUS items (RFC 9051 §6.3.11, RFC 8438 SIZE, RFC 7162 HIGHESTMODSEQ); ``unseen`` is the viewer's."""

    folder_id: int
    messages: int
    recent: int
    unseen: int
    deleted: int
    size: int
    uidnext: int
    uidvalidity: int
    highestmodseq: int


@dataclass(frozen=True)
class MessageSummary:
    """One message as SELECT, FETCH FLAGS and CONDSTORE see it; ``flags`` are the viewer's."""

    uid: int
    modseq: int
    flags: frozenset[str]
    internal_date: datetime
    size: int
    content_id: int


@dataclass(frozen=True)
class FolderSnapshot:
    """A folder's messages in UID order, read in one transaction with the folder's counters."""

    folder: FolderInfo
    messages: tuple[MessageSummary, ...]


@dataclass(frozen=True)
class MessageContent:
    """The index of one distinct content (shared by every copy of the same bytes)."""

    id: int
    sha256: str
    size: int
    envelope_wire: bytes
    body_wire: bytes
    bodystructure_wire: bytes
    parts_json: str
    subject: str
    from_: str
    to: str
    cc: str
    bcc: str
    date: datetime | None
    message_id: str | None
    in_reply_to: str | None
    references: tuple[str, ...]
    has_attachments: bool

    @cached_property
    def parts(self) -> tuple[PartSpan, ...]:
        """The part table (``mail.sections.fetch_section`` takes it with the raw bytes)."""
        return parts_from_json(self.parts_json)


@dataclass(frozen=True)
class StoredMessage:
    """A message with its content index, as FETCH needs it (raw bytes via :meth:`MailStoreApi.read_blob`)."""

    summary: MessageSummary
    content: MessageContent

    @property
    def uid(self) -> int:
        return self.summary.uid


@dataclass(frozen=True)
class Delivered:
    account_id: int
    folder_id: int
    uid: int
    modseq: int


@dataclass(frozen=True)
class DeliveryResult:
    sha256: str
    size: int
    content_id: int
    deliveries: tuple[Delivered, ...]


@dataclass(frozen=True)
class Appended:
    """APPENDUID (RFC 4315 §3): the target's UIDVALIDITY and the new UID."""

    folder_id: int
    uidvalidity: int
    uid: int
    modseq: int


@dataclass(frozen=True)
class FlagUpdate:
    """The outcome of STORE: every targeted message that exists, in its state afterwards; the UIDs whose flags
    changed (each with a new MODSEQ); and those refused by UNCHANGEDSINCE (RFC 7162 §3.1.3 ``[MODIFIED …]``)."""

    messages: tuple[MessageSummary, ...]
    changed: frozenset[int]
    modified: tuple[int, ...]
    highestmodseq: int


@dataclass(frozen=True)
class Transfer:
    """COPY or MOVE: COPYUID data (RFC 4315 §3) as ``(source uid, target uid)`` pairs in source UID order; for
    MOVE, ``expunged_modseq`` is the source's MODSEQ of the removal (0 for COPY)."""

    target_folder_id: int
    target_uidvalidity: int
    mapping: tuple[tuple[int, int], ...]
    expunged_modseq: int = 0

    @property
    def source_uids(self) -> tuple[int, ...]:
        return tuple(pair[0] for pair in self.mapping)


@dataclass(frozen=True)
class Expunged:
    uids: tuple[int, ...]
    modseq: int


@dataclass(frozen=True)
class Changes:
    """CONDSTORE/QRESYNC (RFC 7162 §3.1.4.1, §3.2.5): messages changed after a MODSEQ and UIDs expunged after it."""

    changed: tuple[MessageSummary, ...]
    vanished: tuple[int, ...]
    highestmodseq: int


@dataclass(frozen=True)
class QuotaUsage:
    """RFC 9208 STORAGE (octets) and MESSAGE usage of one account's own folders."""

    account_id: int
    bytes: int
    messages: int


@dataclass(frozen=True)
class SortFields:
    uid: int
    arrival: datetime
    date: datetime
    from_: str
    to: str
    cc: str
    subject: str
    size: int
    display_from: str
    display_to: str


class MailStoreApi(Protocol):
    """The synchronous mail store. Each call is one database transaction (plus blob I/O), so it is safe to call
    from many threads and processes at once."""

    # -- delivery -----------------------------------------------------------------------------------------------

    def deliver(self, raw: bytes, mailbox_ids: Sequence[int], *, internal_date: datetime | None = None,
                folder: str | SpecialUse | None = None, flags: Iterable[str] = ()) -> DeliveryResult:
        """Local delivery of ``raw`` to each account in ``mailbox_ids`` (duplicates once each).

        Indexes the message in the calling thread, writes the blob (fsynced) before the rows, then in one
        transaction: one content row per distinct content, one message per account with a fresh UID and MODSEQ.
        ``folder`` is a folder name or a special use (default INBOX; INBOX when the account has no such folder).
        When it returns everything is durable (the ``250`` after DATA may be sent)."""
        ...

    def quota(self, account_id: int) -> QuotaUsage:
        """Octets and messages stored in the account's own folders."""
        ...

    # -- folders ------------------------------------------------------------------------------------------------

    def ensure_default_folders(self, account_id: int) -> tuple[FolderInfo, ...]:
        """Create INBOX, Sent, Drafts, Trash, Junk and Archive where missing; the account's folders."""
        ...

    def rights(self, viewer_id: int, owner_id: int) -> Rights:
        """The viewer's rights on ``owner_id``'s mailbox (owner: all; delegate: granted letters; else none)."""
        ...

    def inactive_accounts(self, account_ids: Iterable[int]) -> dict[int, str]:
        """Of ``account_ids``, those disabled or removed in the directory, with their status (``disabled`` or
        ``removed``): servers end such accounts' open sessions."""
        ...

    def acl(self, viewer_id: int, folder_id: int) -> tuple[AclEntry, ...]:
        """GETACL (right ``a``): the owner first, then delegates and folder entries by address."""
        ...

    def set_acl(self, viewer_id: int, folder_id: int, identifier: str, rights: str,
                mode: FlagMode = FlagMode.REPLACE) -> AclEntry:
        """SETACL (right ``a``) for a local account (:class:`NotFound` otherwise; :class:`InvalidInput` for the
        owner or an unknown right): replace, add to or take from its rights on this folder only."""
        ...

    def delete_acl(self, viewer_id: int, folder_id: int, identifier: str) -> None:
        """DELETEACL (right ``a``): remove the account's entry on the folder; :class:`Conflict` for a clerk whose
        rights come from the directory and who has no entry."""
        ...

    def list_folders(self, viewer_id: int) -> tuple[FolderInfo, ...]:
        """The viewer's own folders, then those of mailboxes delegated to it with right ``l``, ordered by path."""
        ...

    def find_folder(self, viewer_id: int, path: str) -> FolderInfo:
        """The folder at ``path`` as the viewer names it (INBOX case-insensitive)."""
        ...

    def get_folder(self, viewer_id: int, folder_id: int) -> FolderInfo:
        """A folder by id, with the viewer's current rights."""
        ...

    def create_folder(self, viewer_id: int, path: str, *, special_use: SpecialUse | None = None) -> FolderInfo:
        """CREATE (RFC 9051 §6.3.4): superior levels created as needed; right ``k`` on a shared mailbox."""
        ...

    def delete_folder(self, viewer_id: int, folder_id: int) -> None:
        """DELETE: the folder and its messages; refused for INBOX and for a folder with children. Right ``x``."""
        ...

    def rename_folder(self, viewer_id: int, folder_id: int, new_path: str) -> FolderInfo:
        """RENAME with its children; renaming INBOX moves its messages to the new folder and leaves it empty
        (RFC 9051 §6.3.6). Same owner only."""
        ...

    def set_subscribed(self, viewer_id: int, folder_id: int, subscribed: bool) -> None:
        """SUBSCRIBE / UNSUBSCRIBE of an own folder (shared folders are always listed as subscribed)."""
        ...

    def folder_status(self, viewer_id: int, folder_id: int) -> FolderStatus:
        ...

    def claim_recent(self, viewer_id: int, folder_id: int) -> int:
        """For SELECT (not EXAMINE): the lowest UID that is \\Recent for this session; later sessions will not
        see these as recent (RFC 3501 §2.3.2)."""
        ...

    # -- messages -----------------------------------------------------------------------------------------------

    def snapshot(self, viewer_id: int, folder_id: int) -> FolderSnapshot:
        """Every message of the folder (one query; cheap for 10,000 messages). Right ``r``."""
        ...

    def fetch(self, viewer_id: int, folder_id: int, uids: UidArg) -> tuple[StoredMessage, ...]:
        """Summaries and content indexes of the given UIDs in UID order, in a few queries whatever their number."""
        ...

    def fetch_summaries(self, viewer_id: int, folder_id: int, uids: UidArg) -> tuple[MessageSummary, ...]:
        """Summaries only (flags, MODSEQ, date, size) of the given UIDs in UID order: FETCH FLAGS of many
        messages. Right ``r``."""
        ...

    def read_raw(self, viewer_id: int, folder_id: int, uid: int) -> bytes:
        """The message exactly as stored."""
        ...

    def read_blob(self, sha256: str) -> bytes:
        """Raw bytes of a content the caller obtained through a checked call (``MessageContent.sha256``)."""
        ...

    def store_flags(self, viewer_id: int, folder_id: int, uids: UidArg, mode: FlagMode, flags: Iterable[str], *,
                    unchanged_since: int | None = None) -> FlagUpdate:
        """STORE. Rights: ``s`` for \\Seen, ``t`` for \\Deleted, ``w`` for the rest; \\Recent is ignored.
        Messages whose flags do not change keep their MODSEQ."""
        ...

    def append(self, viewer_id: int, folder_id: int, raw: bytes, *, flags: Iterable[str] = (),
               internal_date: datetime | None = None) -> Appended:
        """APPEND (right ``i``); durable when it returns."""
        ...

    def copy(self, viewer_id: int, folder_id: int, uids: UidArg, target_folder_id: int) -> Transfer:
        """COPY: flags and internal dates kept, new UIDs in the target (rights ``r`` and ``i``)."""
        ...

    def move(self, viewer_id: int, folder_id: int, uids: UidArg, target_folder_id: int) -> Transfer:
        """MOVE (RFC 6851): atomic copy and expunge in one transaction (rights ``r``, ``t``, ``e`` on the source,
        ``i`` on the target); the source keeps tombstones for VANISHED."""
        ...

    def expunge(self, viewer_id: int, folder_id: int, uids: UidArg | None = None) -> Expunged:
        """EXPUNGE of every \\Deleted message, or UID EXPUNGE of those among ``uids`` (right ``e``)."""
        ...

    def changes_since(self, viewer_id: int, folder_id: int, modseq: int) -> Changes:
        ...

    def search(self, viewer_id: int, folder_id: int, criterion: Criterion) -> tuple[int, ...]:
        """Matching UIDs in ascending order, evaluated by the database (text through its index)."""
        ...

    def sort(self, viewer_id: int, folder_id: int, order: Sequence[SortOrder],
             criterion: Criterion = MATCH_ALL) -> tuple[int, ...]:
        """SORT (RFC 5256): matching UIDs ordered by ``order``, ties by UID."""
        ...

    def sort_fields(self, viewer_id: int, folder_id: int, uids: UidArg) -> tuple[SortFields, ...]:
        """The sort keys of the given messages (for ESORT/partial sorts done by the caller)."""
        ...


__all__ = [
    "ALL_RIGHTS",
    "ANSWERED",
    "DEFAULT_FOLDERS",
    "DELETED",
    "DELIMITER",
    "DRAFT",
    "FLAGGED",
    "INBOX",
    "MATCH_ALL",
    "RECENT",
    "SEEN",
    "SHARED_ROOT",
    "SYSTEM_FLAGS",
    "AclEntry",
    "AclSource",
    "AllOf",
    "AnyOf",
    "Appended",
    "Changes",
    "Criterion",
    "DateCompare",
    "DateField",
    "DateMatch",
    "Delivered",
    "DeliveryResult",
    "Expunged",
    "FlagMode",
    "FlagUpdate",
    "FolderInfo",
    "FolderSnapshot",
    "FolderStatus",
    "HasFlag",
    "HeaderContains",
    "MailStoreApi",
    "MatchAll",
    "MessageContent",
    "MessageSummary",
    "ModSeqAtLeast",
    "Not",
    "QuotaUsage",
    "Rights",
    "SizeMatch",
    "SortFields",
    "SortKey",
    "SortOrder",
    "SpecialUse",
    "StoredMessage",
    "TextContains",
    "TextField",
    "Transfer",
    "UidArg",
    "UidIn",
    "UidRanges",
]
