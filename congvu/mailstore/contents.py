"""Message contents: the index of each distinct message, stored once and shared by every copy.

A content row is keyed by the SHA-256 of the raw bytes (the blob's name). Delivery to eighty agencies stores
one blob and one row. Besides what FETCH returns (ENVELOPE, BODY, BODYSTRUCTURE, the part table) a row holds
the search fold of the addresses, subject, header fields and body text (``congvu.vntext.fold``), and sort keys:
the first address's mailbox for SORT FROM/TO/CC (RFC 5256 §3), the display name for DISPLAYFROM/DISPLAYTO
(RFC 5957 §3) and the base subject (RFC 5256 §2.1), the last three as Vietnamese collation keys.

What FETCH reads of a content row never changes once written (only ``search_body`` of a long body is filled in
after delivery, by :mod:`congvu.mailstore.textbacklog`), so the values read for FETCH are kept
(:class:`ContentCache`), with their part table once it has been parsed: the messages a client lists are fetched
again and again.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, RowMapping, bindparam, select
from sqlalchemy.sql.dml import Insert

from congvu.imap.subject import base_subject
from congvu.mail.headers import decode_header_value
from congvu.mail.index import MessageIndex, parts_to_json
from congvu.mail.wire import ImapValue
from congvu.mailstore.api import MessageContent
from congvu.mailstore.context import MailContext, as_utc
from congvu.store.schema import blobs, message_contents
from congvu.vntext.collation import sort_key
from congvu.vntext.fold import fold

SORT_TEXT_CHARS = 200
# What FETCH reads; the search text stays in the database.
FETCH_COLUMNS = (
    message_contents.c.id, message_contents.c.sha256, message_contents.c.size, message_contents.c.envelope_wire,
    message_contents.c.body_wire, message_contents.c.bodystructure_wire, message_contents.c.parts,
    message_contents.c.subject, message_contents.c.from_addr, message_contents.c.to_addr,
    message_contents.c.cc_addr, message_contents.c.bcc_addr, message_contents.c.sent_date,
    message_contents.c.message_id, message_contents.c.in_reply_to, message_contents.c.references,
    message_contents.c.has_attachments,
)


def fold_lines(text: str) -> str:
    """The fold of each line, each line led by a newline (so a field is found as ``\\nname:``)."""
    return "".join("\n" + fold(line) for line in text.split("\n") if line.strip())


def _first_address(value: ImapValue) -> tuple[str, str]:
    """(display name, addr-spec) of the first mailbox of an envelope address list, or empty strings."""
    if not isinstance(value, tuple):
        return "", ""
    for item in value:
        if isinstance(item, tuple) and len(item) == 4 and item[3] is not None:
            name, _route, mailbox, host = item
            local = mailbox.decode("utf-8", "replace") if isinstance(mailbox, bytes) else ""
            domain = host.decode("utf-8", "replace") if isinstance(host, bytes) else ""
            display = decode_header_value(name) if isinstance(name, bytes) else ""
            return display.strip(), f"{local}@{domain}" if domain else local
    return "", ""


def _mailbox_key(addr_spec: str) -> str:
    # RFC 5256 §3: FROM, TO and CC sort on the addr-mailbox (local part) of the first address.
    return addr_spec.partition("@")[0].lower()


def _display_key(value: ImapValue) -> str:
    # RFC 5957 §3: the display name, or the addr-spec when there is none.
    display, addr_spec = _first_address(value)
    return sort_key((display or addr_spec)[:SORT_TEXT_CHARS])


# Set (and taken off again by the delivery) when search_body is left empty for congvu.mailstore.textbacklog.
TEXT_DEFERRED = "text_deferred"


def content_values(index: MessageIndex, sha256: str, now: datetime, *,
                   defer_from_chars: int | None = None) -> dict[str, object]:
    """The content row of ``index``. With ``defer_from_chars``, a body text that long or longer is not folded:
    ``search_body`` is empty and the row carries :data:`TEXT_DEFERRED`."""
    env = index.envelope
    sent = index.date
    deferred = defer_from_chars is not None and len(index.body_text) >= defer_from_chars
    values: dict[str, object] = {
        "sha256": sha256,
        "size": index.size,
        "envelope_wire": index.envelope_wire,
        "body_wire": index.body_wire,
        "bodystructure_wire": index.bodystructure_wire,
        "parts": parts_to_json(index.parts),
        "subject": index.subject,
        "from_addr": index.from_,
        "to_addr": index.to,
        "cc_addr": index.cc,
        "bcc_addr": index.bcc,
        "sent_date": as_utc(sent) if sent else None,
        "sent_day": sent.date() if sent else None,
        "message_id": index.message_id,
        "in_reply_to": index.in_reply_to,
        "references": " ".join(index.references),
        "has_attachments": index.has_attachments,
        "attachments": [asdict(item) for item in index.attachments],
        "subject_fold": fold(index.subject),
        "from_fold": fold(index.from_),
        "to_fold": fold(index.to),
        "cc_fold": fold(index.cc),
        "bcc_fold": fold(index.bcc),
        "search_headers": fold_lines(index.header_text),
        "search_body": "" if deferred else fold(index.body_text),
        "sort_subject": sort_key(base_subject(index.subject).text[:SORT_TEXT_CHARS]),
        "sort_from": _mailbox_key(_first_address(env[2])[1]),
        "sort_to": _mailbox_key(_first_address(env[5])[1]),
        "sort_cc": _mailbox_key(_first_address(env[6])[1]),
        "display_from": _display_key(env[2]),
        "display_to": _display_key(env[5]),
        "created_at": now,
    }
    if deferred:
        values[TEXT_DEFERRED] = True
    return values


def store_content(ctx: MailContext, conn: Connection, index: MessageIndex, sha256: str) -> int:
    """The id of the content row for ``sha256``, inserting it (and its blob record) when new."""
    return store_contents(ctx, conn, [content_values(index, sha256, ctx.now())])[sha256]


def store_contents(ctx: MailContext, conn: Connection, rows: Sequence[Mapping[str, object]], *,
                   inserted: set[str] | None = None) -> dict[str, int]:
    """The ids of the content rows of :func:`content_values` ``rows`` by SHA-256, inserting those not stored yet
    (and their blob records; the SHA-256 of each row inserted here goes into ``inserted``). The values are
    computed before the transaction: folding a large body is the costliest part, and writers wait for each
    other."""
    by_sha = {str(row["sha256"]): row for row in rows}
    shas = sorted(by_sha)
    new = [by_sha[sha] for sha in shas]
    insert_blobs, insert_contents = _inserts(ctx)
    # Insert-or-ignore, and read back only what was there already: new content is the common case.
    conn.execute(insert_blobs,
                 [{"sha256": row["sha256"], "size": row["size"], "created_at": row["created_at"]} for row in new])
    have = {str(sha): int(content_id) for sha, content_id in conn.execute(insert_contents, new)}
    if inserted is not None:
        inserted.update(have)
    stored = [sha for sha in shas if sha not in have]
    if stored:
        have.update((str(sha), int(content_id)) for sha, content_id in conn.execute(_IDS_BY_SHA, {"shas": stored}))
    return {sha: have[sha] for sha in shas}


# The statements of store_contents, built once per database kind: building one and computing its cache key cost
# more than running it, for every delivery.
_INSERTS: dict[bool, tuple[Insert, Insert]] = {}
_IDS_BY_SHA = select(message_contents.c.sha256, message_contents.c.id).where(
    message_contents.c.sha256.in_(bindparam("shas", expanding=True)))


def _inserts(ctx: MailContext) -> tuple[Insert, Insert]:
    """Insert-or-ignore of blob records, and of content rows returning (sha256, id)."""
    found = _INSERTS.get(ctx.is_sqlite)
    if found is None:
        found = (ctx.insert_ignore(blobs, ["sha256"]),
                 ctx.insert_ignore(message_contents, ["sha256"]).returning(message_contents.c.sha256,
                                                                           message_contents.c.id))
        _INSERTS[ctx.is_sqlite] = found
    return found


class ContentCache:
    """Content values by (row id, SHA-256): the hash names the bytes the whole row is computed from, so an entry
    is right for as long as it is held, even if a row id were reused. Oldest entries go first."""

    def __init__(self, max_entries: int) -> None:
        self.max_entries = max_entries
        self._entries: dict[tuple[int, str], MessageContent] = {}
        self._lock = threading.Lock()

    def get(self, content_id: int, sha256: str) -> MessageContent | None:
        return self._entries.get((content_id, sha256))

    def put(self, content: MessageContent) -> None:
        with self._lock:
            self._entries[(content.id, content.sha256)] = content
            while len(self._entries) > self.max_entries:
                del self._entries[next(iter(self._entries))]


CACHED_CONTENTS = ContentCache(4_096)
_BY_IDS = select(*FETCH_COLUMNS).where(message_contents.c.id.in_(bindparam("ids", expanding=True)))
_IDS_PER_QUERY = 500


def read_contents(conn: Connection, keys: Iterable[tuple[int, str]]) -> dict[int, MessageContent]:
    """The contents named by ``(row id, SHA-256)`` pairs, by row id: from the cache, the others in one query
    per 500 (in the caller's transaction)."""
    found: dict[int, MessageContent] = {}
    missing: list[int] = []
    for content_id, sha256 in keys:
        cached = CACHED_CONTENTS.get(content_id, sha256)
        if cached is None:
            missing.append(content_id)
        else:
            found[content_id] = cached
    for start in range(0, len(missing), _IDS_PER_QUERY):
        for row in conn.execute(_BY_IDS, {"ids": missing[start:start + _IDS_PER_QUERY]}):
            content = content_from_row(row._mapping)
            found[content.id] = content
    return found


def content_from_row(m: Mapping[str, Any] | RowMapping) -> MessageContent:
    """A content value from a row of :data:`FETCH_COLUMNS` (by column name)."""
    found = CACHED_CONTENTS.get(int(m["id"]), str(m["sha256"]))
    if found is not None:
        return found
    content = _content(m)
    CACHED_CONTENTS.put(content)  # its part table, once parsed (``MessageContent.parts``), is kept with it
    return content


def _content(m: Mapping[str, Any] | RowMapping) -> MessageContent:
    sent = m["sent_date"]
    references = str(m["references"] or "")
    return MessageContent(
        id=int(m["id"]), sha256=str(m["sha256"]), size=int(m["size"]),
        envelope_wire=bytes(m["envelope_wire"]), body_wire=bytes(m["body_wire"]),
        bodystructure_wire=bytes(m["bodystructure_wire"]),
        parts_json=str(m["parts"]), subject=str(m["subject"]), from_=str(m["from_addr"]),
        to=str(m["to_addr"]), cc=str(m["cc_addr"]), bcc=str(m["bcc_addr"]),
        date=as_utc(sent) if isinstance(sent, datetime) else None,
        message_id=m["message_id"], in_reply_to=m["in_reply_to"],
        references=tuple(references.split()), has_attachments=bool(m["has_attachments"]),
    )

