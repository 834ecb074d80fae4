"""Reading the message text after DATA (RFC 5321 §4.1.1.4, §4.5.2), strictly where it matters for safety and
liberally elsewhere.

- Only CR LF "." CR LF ends the data. A "." line that ends in a bare LF, or that follows a line ending in a
  bare LF, is where SMTP smuggling hides a second message (the client's idea of the end differs from ours): the
  message is refused and the connection closed, so nothing after it is read as commands.
- Other lines ending in a bare LF are accepted and stored with CR LF, as the line ends of a message must be.
- Transparency: a leading "." is removed from lines that start with one (RFC 5321 §4.5.2).
- The whole text is read before a refusal is given (RFC 5321 §4.2.5), bounded so that a client sending without
  end cannot keep the server reading forever: past twice the size limit the connection is closed.
- A message with NUL octets (RFC 5322 §2.1, not allowed without BINARYMIME) or with a line longer than the line
  limit is refused as a whole; nothing partial is ever handed on.

Lines are handled one by one only where one of these rules may apply. The lines already received that need no
care (each ends in CR LF, none starts with "." or holds NUL, none is too long) are taken as one block: a message
of 100 KB has some 1,300 lines, and a Python step for each of them cost more than storing the message.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from dataclasses import dataclass

from congvu.smtpserver import replies
from congvu.smtpserver.replies import Reply

MAX_LINE_OCTETS = 65536
"""Longest line accepted: far above the 998 of RFC 5322 §2.1.1, since real senders exceed it, but bounded."""
PROGRESS_EVERY_OCTETS = 65536
HARD_LIMIT_SLACK_OCTETS = 1024 * 1024
CRLF = b"\r\n"
_BARE_LF = re.compile(rb"(?<!\r)\n")


def _before_long_line(held: bytearray, end: int, max_line: int) -> int:
    """``end``, or the start of the first line before it with more than ``max_line`` octets before its CR LF."""
    # From a line start, the last LF within max_line + 2 octets ends a run of short lines; none ends a long one.
    start = 0
    while start < end:
        last = held.rfind(b"\n", start, min(end, start + max_line + 2))
        if last < 0:
            return start
        start = last + 1
    return end


def _plain_block(reader: asyncio.StreamReader, room: int, max_line: int) -> int:
    """How many octets at the front of what ``reader`` holds already are whole lines needing no care, at most
    ``room``; 0 when the first line needs care or nothing is held."""
    # The stream's buffer is looked at, never changed: the lines are then taken with readexactly(), so nothing
    # after the end-of-data mark (pipelined commands, RFC 2920) is ever taken from the command reader.
    held = getattr(reader, "_buffer", None)
    if room <= 0 or not isinstance(held, bytearray) or held.startswith(b"."):
        return 0
    end = held.rfind(b"\n", 0, room) + 1
    dot = held.find(b"\n.", 0, end)
    if dot >= 0:
        end = dot + 1
    end = _before_long_line(held, end, max_line)
    if held.count(b"\n", 0, end) != held.count(b"\r\n", 0, end):
        bare = _BARE_LF.search(held, 0, end)
        if bare is not None:
            end = held.rfind(b"\n", 0, bare.start()) + 1
    nul = held.find(b"\x00", 0, end)
    if nul >= 0:
        end = held.rfind(b"\n", 0, nul) + 1
    return end


@dataclass(frozen=True)
class DataOutcome:
    raw: bytes = b""
    refusal: Reply | None = None
    bare_lf: bool = False  # some lines ended in LF alone (stored as CR LF)


async def read_data(reader: asyncio.StreamReader, *, max_bytes: int, max_line: int = MAX_LINE_OCTETS,
                    on_progress: Callable[[], None] | None = None) -> DataOutcome:
    """Read up to the end-of-data mark; raises :class:`ConnectionError` when the client goes away first."""
    pieces: list[bytes] = []  # the message so far, each line with its CR LF
    size = 0
    read_since_progress = 0
    hard_limit = 2 * max_bytes + HARD_LIMIT_SLACK_OCTETS
    refusal: Reply | None = None
    previous_crlf = True  # whether the previous line ended in CR LF (the start counts as a line start)
    in_long_line = False  # the rest of a line already refused as too long
    long_piece_cr = False
    bare_lf = False
    while True:
        if refusal is None and not in_long_line:
            block = _plain_block(reader, max_bytes - size, max_line)
            if block:
                pieces.append(await reader.readexactly(block))
                size += block
                previous_crlf = True
                read_since_progress += block
                if on_progress is not None and read_since_progress >= PROGRESS_EVERY_OCTETS:
                    on_progress()
                    read_since_progress = 0
                continue
        try:
            line = await reader.readuntil(b"\n")
        except asyncio.LimitOverrunError as overrun:
            piece = await reader.read(max(overrun.consumed, 1))
            size += len(piece)
            read_since_progress += len(piece)
            in_long_line, long_piece_cr = True, piece.endswith(b"\r")
            refusal = refusal or replies.line_too_long(max_line)
            pieces.clear()
            if size > hard_limit:
                return DataOutcome(refusal=_closing(replies.message_too_big(max_bytes)))
            continue
        except asyncio.IncompleteReadError as error:
            raise ConnectionResetError("connection closed during DATA") from error
        read_since_progress += len(line)
        if on_progress is not None and read_since_progress >= PROGRESS_EVERY_OCTETS:
            on_progress()
            read_since_progress = 0
        crlf = line.endswith(b"\r\n") or (in_long_line and line == b"\n" and long_piece_cr)
        if in_long_line:  # the tail of a refused line, not a line of its own
            in_long_line = False
            previous_crlf = crlf
            continue
        body = line[:-2] if line.endswith(b"\r\n") else line[:-1]
        if body == b".":
            if crlf and previous_crlf:
                break
            return DataOutcome(refusal=replies.BARE_LF_END)
        previous_crlf = crlf
        if not crlf:
            bare_lf = True
        if body[:1] == b".":
            body = body[1:]
        size += len(body) + 2
        if size > hard_limit:
            return DataOutcome(refusal=_closing(replies.message_too_big(max_bytes)))
        if refusal is not None:
            continue
        if size > max_bytes:
            refusal = replies.message_too_big(max_bytes)
        elif len(body) > max_line:
            refusal = replies.line_too_long(max_line)
        elif b"\x00" in body:
            refusal = replies.NUL_IN_CONTENT
        if refusal is not None:
            pieces.clear()
            continue
        pieces += (body, CRLF)
    if refusal is not None:
        return DataOutcome(refusal=refusal)
    return DataOutcome(raw=b"".join(pieces), bare_lf=bare_lf)


def _closing(reply: Reply) -> Reply:
    return Reply(reply.code, reply.enhanced, reply.text + "; closing the connection", close=True)
