"""FETCH and UID FETCH (RFC 9051 §6.4.5, §6.4.9) with CHANGEDSINCE and VANISHED (RFC 7162 §3.1.4.1, §3.2.6).

Messages are read from the store in batches (summaries and content indexes in a few queries per batch, raw
bytes only when a body section is asked for and not already cut) and written as they are rendered, so a FETCH
1:* of a large folder streams instead of building one huge reply. A batch is one read of the store with the
messages' bytes (on the loop's own thread when it is small and the database embedded, see
:meth:`congvu.mailstore.aio.AsyncMailStore.read`; large bodies are read on a worker). Fetching a body section
without .PEEK sets \\Seen (RFC 9051 §6.4.5) when the folder is read-write and the viewer holds right ``s`` (RFC
4314 §4).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from congvu.imap import response
from congvu.imap.commands import Fetch
from congvu.imap.fetch import FetchSimple
from congvu.imap.sequence import NumberSet
from congvu.imapserver.fetching import (
    FetchPlan,
    HeaderKey,
    SectionCache,
    UnknownCte,
    plan_fetch,
    render_line,
    summary_template,
    summary_values,
)
from congvu.imapserver.handlers.targets import selected, target_uids
from congvu.imapserver.replies import Reply, bad, no, ok
from congvu.imapserver.selected import SelectedFolder
from congvu.mailstore.api import (
    SEEN,
    Changes,
    FlagMode,
    MailStoreApi,
    MessageContent,
    MessageSummary,
    StoredMessage,
)

if TYPE_CHECKING:
    from congvu.imapserver.connection import ImapConnection

# Flags, dates and sizes of more messages than this come from one snapshot query rather than full reads.
SUMMARY_BY_UID = 20
# Message bytes read per batch without leaving the loop's thread (see AsyncMailStore.read); more on a worker.
INLINE_RAW_BYTES = 1024 * 1024


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
        changes = await store.read(partial(_changes, account=session.account_id, folder_id=folder.folder.id,
                                           modseq=command.changed_since), rows=folder.count)
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


def _changes(store: MailStoreApi, account: int, folder_id: int, modseq: int) -> Changes:
    return store.changes_since(account, folder_id, modseq)


@dataclass(frozen=True)
class _Batch:
    """What the store gave for a batch of UIDs: the messages and, per message, its raw bytes or its header
    sections from the cache (neither when its bytes are still to be read)."""

    messages: tuple[StoredMessage, ...]
    raws: tuple[bytes | None, ...]
    cached: tuple[Mapping[HeaderKey, bytes | None] | None, ...]


def _read_batch(store: MailStoreApi, account: int, folder_id: int, uids: list[int], plan: FetchPlan,
                sections: SectionCache, raw_budget: int) -> _Batch:
    """The batch's messages and, for those whose sections are not all cached, their raw bytes as long as they
    add up to no more than ``raw_budget`` (the others are read by :func:`_read_blobs`, on a worker)."""
    messages = store.fetch(account, folder_id, uids)
    raws: list[bytes | None] = [None] * len(messages)
    cached: list[Mapping[HeaderKey, bytes | None] | None] = [None] * len(messages)
    if plan.needs_raw:
        budget = raw_budget
        for index, message in enumerate(messages):
            sha = message.content.sha256
            found = sections.find(sha, plan.header_keys) if plan.header_keys is not None else None
            if found is not None:
                cached[index] = found
            elif message.summary.size <= budget:
                raws[index] = store.read_blob(sha)
                budget -= message.summary.size
            else:
                budget = -1  # the rest in order, on a worker
    return _Batch(messages, tuple(raws), tuple(cached))


def _read_blobs(store: MailStoreApi, shas: list[str]) -> list[bytes]:
    return [store.read_blob(sha) for sha in shas]


async def _fetch_stored(conn: ImapConnection, folder: SelectedFolder, plan: FetchPlan, uids: list[int]) -> None:
    store = conn.server.store
    sections = conn.server.sections
    account = conn.session.account_id
    rev1 = not conn.session.rev2
    batch_size = conn.server.limits.fetch_batch
    set_seen = plan.sets_seen and not folder.read_only and "s" in folder.folder.rights
    for start in range(0, len(uids), batch_size):
        chunk = uids[start : start + batch_size]
        batch = await store.read(partial(_read_batch, account=account, folder_id=folder.folder.id, uids=chunk,
                                         plan=plan, sections=sections, raw_budget=INLINE_RAW_BYTES),
                                 rows=len(chunk))
        raws = list(batch.raws)
        if plan.needs_raw:
            unread = [index for index, (raw, cached) in enumerate(zip(raws, batch.cached, strict=True))
                      if raw is None and cached is None]
            if unread:
                read = await store.call(partial(_read_blobs, shas=[batch.messages[i].content.sha256 for i in unread]))
                for index, raw in zip(unread, read, strict=True):
                    raws[index] = raw
        updated: dict[int, MessageSummary] = {}
        seen_now: frozenset[int] = frozenset()
        unseen = [m.uid for m in batch.messages if SEEN not in m.summary.flags] if set_seen else []
        if unseen:
            # A body fetched without .PEEK sets \Seen (RFC 9051 §6.4.5).
            update = await store.store_flags(account, folder.folder.id, unseen, FlagMode.ADD, [SEEN])
            folder.note_own(m for m in update.messages if m.uid in update.changed)
            updated, seen_now = {m.uid: m for m in update.messages}, update.changed
        for message, data, cached in zip(batch.messages, raws, batch.cached, strict=True):
            summary = updated.get(message.uid, message.summary)
            _write(conn, folder, plan, summary, message.content, data, rev1=rev1,
                   add_flags=message.uid in seen_now and not plan.wants_flags, cached=cached, sections=sections)
            await conn.flush_if_large()


async def _fetch_summaries(conn: ImapConnection, folder: SelectedFolder, plan: FetchPlan, uids: list[int]) -> None:
    """Flags, UIDs, dates and sizes of many messages: one query over the UIDs they span, no content."""
    span = NumberSet.from_ranges([(uids[0], uids[-1])])
    account, folder_id = conn.session.account_id, folder.folder.id
    listed = await conn.server.store.read(partial(_summaries, account=account, folder_id=folder_id, span=span),
                                          rows=len(uids))
    wanted = set(uids)
    rev1 = not conn.session.rev2
    template = summary_template(plan)
    if template is not None and template[1] == ("UID", "FLAGS"):
        await _write_uid_flags(conn, folder, listed, wanted, template[0], rev1=rev1)
        return
    for count, summary in enumerate(listed, 1):
        if summary.uid not in wanted:
            continue
        if template is None:
            _write(conn, folder, plan, summary, None, None, rev1=rev1, add_flags=False)
        else:
            # The common FETCH 1:* (FLAGS): one formatting operation per message.
            seq = folder.seq_of(summary.uid)
            if seq is not None:
                flags = folder.flags_of(summary, rev1=rev1)
                conn.write(template[0] % (seq, *summary_values(template[1], summary, flags)))
        if not count % 256:
            await conn.flush_if_large()


async def _write_uid_flags(conn: ImapConnection, folder: SelectedFolder, listed: tuple[MessageSummary, ...],
                           wanted: set[int], line: bytes, *, rev1: bool) -> None:
    """``UID FETCH 1:* (FLAGS)``, what clients send to resynchronise: the responses of :func:`_fetch_summaries`
    for (UID, FLAGS), written per 256 messages."""
    seq_of = folder.seq_of
    flags_of = folder.flags_of
    lines: list[bytes] = []
    for summary in listed:
        uid = summary.uid
        if uid not in wanted:
            continue
        seq = seq_of(uid)
        if seq is not None:
            lines.append(line % (seq, uid, flags_of(summary, rev1=rev1)))
        if len(lines) >= 256:
            conn.write(b"".join(lines))
            lines.clear()
            await conn.flush_if_large()
    if lines:
        conn.write(b"".join(lines))


def _summaries(store: MailStoreApi, account: int, folder_id: int, span: NumberSet) -> tuple[MessageSummary, ...]:
    return store.fetch_summaries(account, folder_id, span)


def _write(conn: ImapConnection, folder: SelectedFolder, plan: FetchPlan, summary: MessageSummary,
           content: MessageContent | None, raw: bytes | None, *, rev1: bool, add_flags: bool,
           cached: Mapping[HeaderKey, bytes | None] | None = None, sections: SectionCache | None = None) -> None:
    seq = folder.seq_of(summary.uid)
    if seq is None:
        return
    flags = folder.flags_of(summary, rev1=rev1)
    conn.write(render_line(seq, plan, summary, content, raw, flags=flags, add_flags=add_flags, cached=cached,
                           sections=sections))

