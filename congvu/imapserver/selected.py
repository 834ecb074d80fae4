"""The selected folder as one session sees it (RFC 9051 §2.3.1): message sequence numbers mapped to UIDs,
the flags in use, the MODSEQ the session is synchronised to, \\Recent (IMAP4rev1 only) and the changes made by
the session itself.

The session's view only moves when the server tells the client: new messages appear with EXISTS, removed ones
disappear with EXPUNGE or VANISHED (RFC 7162 §3.2.10), so sequence numbers always agree with the client's.
:meth:`SelectedFolder.apply` turns what the store reports changed since the known MODSEQ into those responses.

UIDs are kept in an ``array('I')`` (4 octets each) so an idle session on a 100,000-message folder holds 400 KB.
"""

from __future__ import annotations

import bisect
import time
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from congvu.imap import response, wire
from congvu.imap.sequence import NumberSet, SequenceSet
from congvu.mailstore.api import RECENT, SYSTEM_FLAGS, Changes, FolderInfo, MessageSummary
from congvu.mailstore.notify import MailboxEvent, MailboxEventKind, Subscription

FLAG_ORDER = {flag: position for position, flag in enumerate(SYSTEM_FLAGS)}
# The flag lists of the combinations seen, as sent: a folder's messages share a handful of them.
_FLAG_LISTS: dict[frozenset[str], bytes] = {}
_FLAG_LISTS_MAX = 10_000


def sorted_flags(flags: Iterable[str]) -> list[str]:
    """System flags in their usual order, then keywords alphabetically: one spelling for every response."""
    return sorted(flags, key=lambda f: (FLAG_ORDER.get(f, len(FLAG_ORDER)), f))


def flag_list(flags: frozenset[str]) -> bytes:
    """``wire.flag_list`` of :func:`sorted_flags`."""
    found = _FLAG_LISTS.get(flags)
    if found is None:
        found = wire.flag_list(sorted_flags(flags))
        if len(_FLAG_LISTS) < _FLAG_LISTS_MAX:
            _FLAG_LISTS[flags] = found
    return found


@dataclass(frozen=True)
class SyncResult:
    """Responses for the client and the UIDs that appeared (for \\Recent)."""

    lines: tuple[bytes, ...]
    new_uids: tuple[int, ...]


class SelectedFolder:
    def __init__(self, folder: FolderInfo, messages: Sequence[MessageSummary], *, read_only: bool,
                 subscription: Subscription | None) -> None:
        self.folder = folder
        self.read_only = read_only
        self.subscription = subscription
        self.uids = array("I", (m.uid for m in messages))
        self.modseq = folder.highestmodseq
        self.recent: set[int] = set()
        self.keywords: set[str] = {f for m in messages for f in m.flags if f not in FLAG_ORDER}
        self.own_changes: dict[int, int] = {}  # uid -> MODSEQ already reported to the client
        self.lost = False  # the folder was deleted or access to it withdrawn
        self.dirty = False  # change events arrived that the client has not heard about
        self.polled_at = time.monotonic()  # when the store was last asked what changed

    # -- numbering
    @property
    def count(self) -> int:
        return len(self.uids)

    @property
    def max_uid(self) -> int:
        return self.uids[-1] if self.uids else 0

    def seq_of(self, uid: int) -> int | None:
        index = bisect.bisect_left(self.uids, uid)
        if index < len(self.uids) and self.uids[index] == uid:
            return index + 1
        return None

    def uid_at(self, seq: int) -> int:
        return self.uids[seq - 1]

    def sequence_in_range(self, sequence: SequenceSet) -> bool:
        """RFC 9051 §9 seq-number: a number above the message count, or ``*`` in an empty folder, is invalid."""
        if sequence.saved:
            return True
        if self.count == 0:
            return False
        return all(max(a, b) <= self.count for a, b in sequence.ranges)

    def uids_in(self, sequence: SequenceSet, *, uid: bool, saved: Sequence[int] = ()) -> list[int]:
        """Known UIDs selected by a sequence set (message numbers, or UIDs with ``uid``), ascending."""
        if sequence.saved:
            return self.known_uids(NumberSet.from_ranges((u, u) for u in saved))
        if not uid:
            numbers = sequence.resolve(self.count).clip(1, self.count)
            return [self.uids[n - 1] for low, high in numbers.ranges for n in range(low, high + 1)]
        return self.known_uids(sequence.resolve(self.max_uid))

    def known_uids(self, uids: NumberSet) -> list[int]:
        """The UIDs of ``uids`` that the session knows, ascending, without expanding huge ranges."""
        found: list[int] = []
        for low, high in uids.ranges:
            start = bisect.bisect_left(self.uids, low)
            end = bisect.bisect_right(self.uids, high)
            found.extend(self.uids[start:end])
        return found

    def seq_ranges_to_uid_ranges(self, numbers: NumberSet) -> tuple[tuple[int, int], ...]:
        """Message-number ranges as UID ranges: exact, because no unknown UID lies between two known ones."""
        clipped = numbers.clip(1, self.count)
        return tuple((self.uids[low - 1], self.uids[high - 1]) for low, high in clipped.ranges)

    # -- flags
    def flags_of(self, summary: MessageSummary, *, rev1: bool) -> bytes:
        if not (rev1 and summary.uid in self.recent):
            return flag_list(summary.flags)
        return wire.flag_list([*sorted_flags(summary.flags), RECENT])

    def flags_line(self) -> bytes:
        return response.flags([*SYSTEM_FLAGS, *sorted(self.keywords)])

    def learn_keywords(self, messages: Iterable[MessageSummary]) -> bool:
        """Record keywords first seen now; True when the FLAGS response must be sent again."""
        new = {f for m in messages for f in m.flags if f not in FLAG_ORDER} - self.keywords
        self.keywords |= new
        return bool(new)

    # -- changes
    def remove(self, uids: Iterable[int], *, vanished: bool) -> list[bytes]:
        """Forget expunged UIDs; the EXPUNGE responses (highest number first) or one VANISHED response."""
        gone = sorted(u for u in set(uids) if self.seq_of(u) is not None)
        if not gone:
            return []
        positions = [self.seq_of(u) or 0 for u in gone]
        if len(gone) > 16:
            dropped = set(gone)
            self.uids = array("I", (u for u in self.uids if u not in dropped))
        else:
            for position in reversed(positions):
                del self.uids[position - 1]
        self.recent.difference_update(gone)
        for uid in gone:
            self.own_changes.pop(uid, None)
        if vanished:
            return [response.vanished(gone)]
        return [response.expunge(position) for position in reversed(positions)]

    def fetch_line(self, summary: MessageSummary, *, rev1: bool, condstore: bool, flags: bool = True) -> bytes:
        """The FETCH response announcing a message's flags (and MODSEQ once CONDSTORE is on, RFC 7162 §3.1.4)."""
        seq = self.seq_of(summary.uid) or 0
        items: list[tuple[str, bytes]] = [("UID", str(summary.uid).encode("ascii"))]
        if flags:
            items.append(("FLAGS", self.flags_of(summary, rev1=rev1)))
        if condstore:
            items.append(("MODSEQ", f"({summary.modseq})".encode("ascii")))
        return response.fetch(seq, items)

    def apply(self, changes: Changes, *, rev1: bool, condstore: bool, qresync: bool) -> SyncResult:
        """What the client must hear about ``changes`` (from ``changes_since(self.modseq)``): expunges first,
        then new keywords, flag changes, and EXISTS for new messages (RFC 9051 §7.4.1, §7.5.1)."""
        lines = self.remove(changes.vanished, vanished=qresync)
        highest_known = self.max_uid
        new = sorted(m.uid for m in changes.changed if m.uid > highest_known)
        if self.learn_keywords(changes.changed):
            lines.append(self.flags_line())
        for summary in changes.changed:
            if summary.uid > highest_known or self.own_changes.get(summary.uid) == summary.modseq:
                continue
            if self.seq_of(summary.uid) is not None:
                lines.append(self.fetch_line(summary, rev1=rev1, condstore=condstore))
        if new:
            self.uids.extend(new)
            lines.append(response.exists(self.count))
        self.own_changes.clear()
        self.modseq = max(self.modseq, changes.highestmodseq)
        return SyncResult(tuple(lines), tuple(new))

    def note_own(self, summaries: Iterable[MessageSummary]) -> None:
        """Changes this session made and already reported: the next :meth:`apply` skips them."""
        for summary in summaries:
            self.own_changes[summary.uid] = summary.modseq

    def is_echo(self, event: MailboxEvent) -> bool:
        """Whether a change event only reports what this session did and already told its client: its own flag
        changes (same UIDs and MODSEQ) or its own expunges. Such events need no round trip to the store."""
        if event.kind is MailboxEventKind.FLAGS:
            return bool(event.uids) and all(self.own_changes.get(uid) == event.modseq for uid in event.uids)
        if event.kind is MailboxEventKind.EXPUNGED:
            return bool(event.uids) and all(self.seq_of(uid) is None for uid in event.uids)
        return False

    def close(self) -> None:
        if self.subscription is not None:
            self.subscription.close()
            self.subscription = None
