"""STORE: changing the flags of messages (RFC 9051 §6.4.6) with CONDSTORE's UNCHANGEDSINCE (RFC 7162 §3.1.3).

The folder row is locked first, so two sessions changing flags of the same messages at once cannot lose each
other's changes. Messages whose flags change get the operation's new MODSEQ; the others keep theirs.

RFC 4314 §4: \\Seen needs right ``s``, \\Deleted right ``t``, the other flags right ``w``; flags the viewer may
not change are left as they are (and STORE fails only when it may change none of the flags it names). A
delegate's \\Seen on a shared mailbox is its own mark (``message_seen``), the owner's stays on the message.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, bindparam, delete, insert, update

from congvu.errors import PermissionDenied
from congvu.mailstore.access import FolderAccess, Prepared, open_folder
from congvu.mailstore.api import FlagMode, FlagUpdate, MessageSummary, UidArg
from congvu.mailstore.context import MailContext
from congvu.mailstore.counters import next_modseq
from congvu.mailstore.flags import BITS, DELETED_BIT, SEEN_BIT, FlagSet, flag_names
from congvu.mailstore.messages import UID_RANGE, arrival, new_summary, parameters, summary_query, viewer_bits
from congvu.mailstore.notify import MailboxEvent, MailboxEventKind
from congvu.mailstore.uidsets import chunks, clip, to_ranges, uid_condition
from congvu.store.schema import message_seen, messages

ALL_BITS = sum(BITS.values())
_UID_RANGE = {own: Prepared(statement) for own, statement in UID_RANGE.items()}
CHUNK = 500
_SET_FLAGS = (update(messages).where(messages.c.id.in_(bindparam("ids", expanding=True)))
              .values(system_flags=bindparam("new_bits"), keywords=bindparam("new_keywords"),
                      modseq=bindparam("new_modseq")))


def allowed_bits(access: FolderAccess) -> tuple[int, bool]:
    """The system-flag bits the viewer may change, and whether it may change keywords."""
    mask = 0
    if "s" in access.rights:
        mask |= SEEN_BIT
    if "t" in access.rights:
        mask |= DELETED_BIT
    writable = "w" in access.rights
    if writable:
        mask |= ALL_BITS & ~(SEEN_BIT | DELETED_BIT)
    return mask, writable


def restricted(change: FlagSet, access: FolderAccess) -> FlagSet:
    """The part of ``change`` the viewer may set (used by APPEND and COPY, RFC 4314 §4)."""
    mask, writable = allowed_bits(access)
    return FlagSet(change.bits & mask, change.keywords if writable else {})


def store_flags(ctx: MailContext, viewer_id: int, folder_id: int, uids: UidArg, mode: FlagMode,
                flags: Iterable[str], *, unchanged_since: int | None = None) -> FlagUpdate:
    change = FlagSet.parse(flags)
    ranges = to_ranges(uids)
    events: list[MailboxEvent] = []
    with ctx.db.begin() as conn:
        access = open_folder(conn, viewer_id, folder_id, "r", lock=True)
        mask, writable = allowed_bits(access)
        if not mask and not writable:
            raise PermissionDenied(f"Không có quyền đổi cờ trong «{access.path}».",
                                   message_en=f"No right to change flags in {access.path}")
        rows: list[Any] = []  # rows of UID_RANGE: columns by name
        for part in chunks(clip(ranges, access.uidnext - 1)):
            if len(part) == 1:
                rows.extend(_UID_RANGE[access.own].records(conn, parameters(access, low=part[0][0], high=part[0][1])))
                continue
            rows.extend(conn.execute(summary_query(access).where(
                uid_condition(messages.c.uid, part, sqlite=ctx.is_sqlite)).order_by(messages.c.uid)))
        modified: list[int] = []
        updates: list[tuple[Any, FlagSet, FlagSet]] = []
        for row in rows:
            if unchanged_since is not None and int(row.modseq) > unchanged_since:
                modified.append(int(row.uid))
                continue
            current = FlagSet.stored(viewer_bits(access, row), str(row.keywords))
            new = current.apply(mode, change, bit_mask=mask, with_keywords=writable)
            if not new.same_as(current):
                updates.append((row, current, new))
        modseq = next_modseq(conn, folder_id) if updates else access.highestmodseq
        _write(conn, access, updates, modseq)
        changed = {int(row.uid): new for row, _current, new in updates}
        result: list[MessageSummary] = []
        for row in rows:
            uid = int(row.uid)
            new_flags = changed.get(uid)
            bits = new_flags.bits if new_flags else viewer_bits(access, row)
            keywords = new_flags.keywords_text() if new_flags else str(row.keywords)
            result.append(new_summary(uid, modseq if new_flags else int(row.modseq), flag_names(bits, keywords),
                                      arrival(row.internal_date), int(row.size), int(row.content_id)))
        if changed:
            events.append(MailboxEvent(folder_id, MailboxEventKind.FLAGS, tuple(sorted(changed)), modseq))
    ctx.publish(events)
    return FlagUpdate(messages=tuple(result), changed=frozenset(changed), modified=tuple(modified),
                      highestmodseq=modseq)


def _write(conn: Connection, access: FolderAccess, updates: list[tuple[Any, FlagSet, FlagSet]],
           modseq: int) -> None:
    """Write new flags grouped by value: a STORE over a whole folder is a handful of statements."""
    groups: dict[tuple[int, str], list[int]] = {}
    seen_on: list[int] = []
    seen_off: list[int] = []
    for row, current, new in updates:
        stored_bits = int(row.system_flags)
        if access.own:
            bits = new.bits
        else:
            # The owner's \Seen stays on the message; the delegate's own mark lives in message_seen.
            bits = (new.bits & ~SEEN_BIT) | (stored_bits & SEEN_BIT)
            if (new.bits ^ current.bits) & SEEN_BIT:
                (seen_on if new.bits & SEEN_BIT else seen_off).append(int(row.id))
        groups.setdefault((bits, new.keywords_text()), []).append(int(row.id))
    for (bits, keywords), ids in groups.items():
        for start in range(0, len(ids), CHUNK):
            conn.execute(_SET_FLAGS, {"ids": ids[start:start + CHUNK], "new_bits": bits, "new_keywords": keywords,
                                      "new_modseq": modseq})
    if seen_on:
        conn.execute(insert(message_seen), [{"message_id": mid, "account_id": access.viewer_id} for mid in seen_on])
    for start in range(0, len(seen_off), CHUNK):
        conn.execute(delete(message_seen).where(message_seen.c.account_id == access.viewer_id,
                                                message_seen.c.message_id.in_(seen_off[start:start + CHUNK])))
