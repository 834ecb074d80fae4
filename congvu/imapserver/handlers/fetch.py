"""FETCH and UID FETCH (RFC 9051 §6.4.5, §6.4.9) with CHANGEDSINCE and VANISHED (RFC 7162 §3.1.4.1, §3.2.6).

Messages are read from the store in batches (summaries and content indexes in a few queries per batch, raw
bytes only when a body section is asked for) and written as they are rendered, so a FETCH 1:* of a large
folder streams instead of building one huge reply. Fetching a body section without .PEEK sets \\Seen
(RFC 9051 §6.4.5) when the folder is read-write and the viewer holds right ``s`` (RFC 4314 §4).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import TYPE_CHECKING

from congvu.imap import response
from congvu.imap.commands import Fetch
from congvu.imap.fetch import FetchSimple
from congvu.imap.sequence import NumberSet
from congvu.imapserver.fetching import FetchPlan, UnknownCte, plan_fetch, render_items
from congvu.imapserver.handlers.targets import selected, target_uids
from congvu.imapserver.replies import Reply, bad, no, ok
from congvu.imapserver.selected import SelectedFolder
from congvu.mailstore.api import SEEN, FlagMode, MailStoreApi, MessageContent, MessageSummary

if TYPE_CHECKING:
    from congvu.imapserver.connection import ImapConnection

# Flags, dates and sizes of more messages than this come from one snapshot query rather than full reads.
SUMMARY_BY_UID = 20


async def fetch(conn: ImapConnection, command: Fetch) -> Reply:
    session = conn.session
    folder = selected(conn)
    store = conn.server.store
    if command.vanished and not session.qresync:
        return bad("VANISHED cần ENABLE QRESYNC", "VANISHED needs QRESYNC to be enabled")  # RFC 7162 §3.2.6
    wants_modseq = any(isinstance(a, FetchSimple) and a.name == "MODSEQ" for a in command.attributes)
    if command.changed_since is not None or wants_modseq:
        session.enabled.add("CONDSTORE")  # RFC 7162 §3.1
    uids = target_uids(conn, command.sequence, uid=command.uid)
    plan = plan_fetch(command.attributes, uid=command.uid, modseq=command.changed_since is not None)
    if command.changed_since is not None:
        changes = await store.changes_since(session.account_id, folder.folder.id, command.changed_since)
        if command.vanished:
            requested = (NumberSet.from_ranges((u, u) for u in session.saved_uids) if command.sequence.saved
                         else command.sequence.resolve(folder.max_uid))
            gone = [u for u in changes.vanished if u in requested and folder.seq_of(u) is None]
            if gone:
                conn.write(response.vanished(gone, earlier=True))
        changed = {m.uid for m in changes.changed}
        uids = [uid for uid in uids if uid in changed]
    try:
        if plan.needs_content or plan.needs_raw or len(uids) <= SUMMARY_BY_UID:
            await _fetch_stored(conn, folder, plan, uids)
        else:
            await _fetch_summaries(conn, folder, plan, uids)
    except UnknownCte as error:
        return no(error.message, error.message_en, response.UNKNOWN_CTE)
    return ok("Xong FETCH", "FETCH completed")


async def _mark_seen(conn: ImapConnection, folder: SelectedFolder, plan: FetchPlan,
                     summaries: Sequence[MessageSummary]) -> tuple[dict[int, MessageSummary], set[int]]:
    """Set \\Seen on the unseen messages a non-PEEK body fetch reads; their new summaries and UIDs."""
    if not plan.sets_seen or folder.read_only or "s" not in folder.folder.rights:
        return {}, set()
    unseen = [s.uid for s in summaries if SEEN not in s.flags]
    if not unseen:
        return {}, set()
    update = await conn.server.store.store_flags(conn.session.account_id, folder.folder.id, unseen,
                                                   FlagMode.ADD, [SEEN])
    folder.note_own(m for m in update.messages if m.uid in update.changed)
    return {m.uid: m for m in update.messages}, set(update.changed)


async def _fetch_stored(conn: ImapConnection, folder: SelectedFolder, plan: FetchPlan, uids: list[int]) -> None:
    store = conn.server.store
    account = conn.session.account_id
    rev1 = not conn.session.rev2
    batch_size = conn.server.limits.fetch_batch
    for start in range(0, len(uids), batch_size):
        batch = uids[start : start + batch_size]
        messages = await store.fetch(account, folder.folder.id, batch)
        updated, seen_now = await _mark_seen(conn, folder, plan, [m.summary for m in messages])
        raws: list[bytes | None] = [None] * len(messages)
        if plan.needs_raw:
            # One trip to a worker thread for the whole batch instead of one per message.
            raws = list(await asyncio.to_thread(_read_blobs, store.store, [m.content.sha256 for m in messages]))
        for message, raw in zip(messages, raws, strict=True):
            summary = updated.get(message.uid, message.summary)
            _write(conn, folder, plan, summary, message.content, raw, rev1=rev1,
                   add_flags=message.uid in seen_now and not plan.wants_flags)
            await conn.flush_if_large()


def _read_blobs(store: MailStoreApi, shas: list[str]) -> list[bytes]:
    return [store.read_blob(sha) for sha in shas]


async def _fetch_summaries(conn: ImapConnection, folder: SelectedFolder, plan: FetchPlan, uids: list[int]) -> None:
    """Flags, UIDs, dates and sizes of many messages: one snapshot query instead of batches of full reads."""
    snapshot = await conn.server.store.snapshot(conn.session.account_id, folder.folder.id)
    wanted = set(uids)
    rev1 = not conn.session.rev2
    for summary in snapshot.messages:
        if summary.uid in wanted:
            _write(conn, folder, plan, summary, None, None, rev1=rev1, add_flags=False)
            await conn.flush_if_large()


def _write(conn: ImapConnection, folder: SelectedFolder, plan: FetchPlan, summary: MessageSummary,
           content: MessageContent | None, raw: bytes | None, *, rev1: bool, add_flags: bool) -> None:
    seq = folder.seq_of(summary.uid)
    if seq is None:
        return
    flags = folder.flags_of(summary, rev1=rev1)
    items = render_items(plan, summary, content, raw, flags=flags, add_flags=add_flags)
    conn.write(response.fetch(seq, items))

