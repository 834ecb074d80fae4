"""Incremental reading of IMAP client input (RFC 9051 §2.2 and §4.3, LITERAL+/LITERAL- of RFC 7888, literal8
of RFC 3516) into whole commands, without sockets.

Bytes go in through :meth:`CommandReader.feed` in chunks of any size; out come :data:`ReadEvent` values:

* :class:`CommandRead`: one command, tag through last argument, literals in place, final CRLF removed;
* :class:`NeedContinuation`: a synchronising literal ``{n}`` was announced; the server answers ``+ Ready``
  (or rejects the command and calls :meth:`CommandReader.reject_literal`);
* :class:`ContinuationLine`: a line asked for with :meth:`CommandReader.read_line` (AUTHENTICATE responses,
  IDLE's ``DONE``);
* :class:`ReadError`: a line or literal over the limits, with the tag when it was read.

After AUTHENTICATE, IDLE, STARTTLS and COMPRESS the reader pauses: what follows is a continuation line, new
commands, TLS or compressed bytes, and only the server knows which. It then calls :meth:`read_line`,
:meth:`resume` or :meth:`take_pending` (RFC 9051 §6.2.1: bytes pipelined after STARTTLS must be discarded).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from congvu.imap.grammar import TAG_CHARS

DEFAULT_MAX_LINE_BYTES = 64 * 1024
DEFAULT_MAX_LITERAL_BYTES = 64 * 1024 * 1024
PAUSING_COMMANDS = frozenset({b"AUTHENTICATE", b"IDLE", b"STARTTLS", b"COMPRESS"})
_LITERAL_END = re.compile(rb"(~?)\{(\d{1,19})(\+?)\}\r?$")
_TAIL_BYTES = 32


class ReadErrorKind(StrEnum):
    LINE_TOO_LONG = "line-too-long"
    LITERAL_TOO_LARGE = "literal-too-large"


@dataclass(frozen=True)
class CommandRead:
    tag: str
    name: str  # the first word after the tag, upper-case ("UID" for UID FETCH)
    raw: bytes


@dataclass(frozen=True)
class NeedContinuation:
    tag: str
    size: int


@dataclass(frozen=True)
class ContinuationLine:
    line: bytes


@dataclass(frozen=True)
class ReadError:
    kind: ReadErrorKind
    tag: str | None
    message: str
    message_en: str


ReadEvent = CommandRead | NeedContinuation | ContinuationLine | ReadError


class _Mode(StrEnum):
    COMMANDS = "commands"
    LINE = "line"
    PAUSED = "paused"


class CommandReader:
    """Splits client bytes into commands; one instance per connection."""

    def __init__(
        self,
        *,
        max_line_bytes: int = DEFAULT_MAX_LINE_BYTES,
        max_literal_bytes: int = DEFAULT_MAX_LITERAL_BYTES,
        max_nonsync_literal_bytes: int | None = None,
    ) -> None:
        self.max_line_bytes = max_line_bytes
        self.max_literal_bytes = max_literal_bytes
        # With LITERAL- advertised instead of LITERAL+ this is 4096 (RFC 7888 §4).
        self.max_nonsync_literal_bytes = max_nonsync_literal_bytes
        self._buffer = bytearray()
        self._mode = _Mode.COMMANDS
        self._reset_command()

    # -- public API
    @property
    def paused(self) -> bool:
        return self._mode is _Mode.PAUSED

    def feed(self, data: bytes) -> list[ReadEvent]:
        self._buffer += data
        return self._run()

    def resume(self) -> list[ReadEvent]:
        """Read commands again (after IDLE's DONE, the end of AUTHENTICATE, or a refused STARTTLS)."""
        self._mode = _Mode.COMMANDS
        return self._run()

    def read_line(self) -> list[ReadEvent]:
        """Deliver the next line as a :class:`ContinuationLine`, then pause again."""
        self._mode = _Mode.LINE
        return self._run()

    def take_pending(self) -> bytes:
        """Remove and return bytes not yet read (to decompress after COMPRESS, or to drop after STARTTLS)."""
        pending = bytes(self._buffer)
        self._buffer.clear()
        return pending

    def reject_literal(self) -> None:
        """Forget the command whose synchronising literal the server refused: the client will not send it."""
        self._reset_command()

    # -- machinery
    def _reset_command(self) -> None:
        self._parts: list[bytes] = []
        self._text_bytes = 0
        self._tag: str | None = None
        self._literal_left = 0
        self._discarding = False  # an error was reported; swallow the rest of this command
        self._skipping_line = False  # inside an over-long line; drop bytes until LF
        self._tail = b""

    def _run(self) -> list[ReadEvent]:
        events: list[ReadEvent] = []
        while self._mode is not _Mode.PAUSED and self._step(events):
            pass
        return events

    def _step(self, events: list[ReadEvent]) -> bool:
        """Consume what it can; False when more input is needed or the reader paused."""
        buffer = self._buffer
        if self._literal_left:
            take = min(self._literal_left, len(buffer))
            if not take:
                return False
            if not self._discarding:
                self._parts.append(bytes(buffer[:take]))
            del buffer[:take]
            self._literal_left -= take
            return True
        newline = buffer.find(b"\n")
        if self._skipping_line:
            return self._skip_line(newline)
        used = self._text_bytes + (newline if newline >= 0 else len(buffer))
        if used > self.max_line_bytes:
            self._line_too_long(events)
            return True
        if newline < 0:
            return False
        line = bytes(buffer[:newline])
        del buffer[: newline + 1]
        if line.endswith(b"\r"):
            line = line[:-1]
        if self._mode is _Mode.LINE:
            events.append(ContinuationLine(line))
            self._mode = _Mode.PAUSED
            return False
        self._line(line, events)
        return True

    def _line(self, line: bytes, events: list[ReadEvent]) -> None:
        if not self._parts and not line and not self._discarding:
            return  # RFC 9051 says nothing of empty lines; clients send stray CRLFs after literals
        if self._tag is None and not self._parts:
            self._tag = _tag_of(line)
        self._text_bytes += len(line) + 2
        match = _LITERAL_END.search(line)
        if match is not None:
            self._announce_literal(line, match, events)
            return
        if self._discarding:
            self._reset_command()
            return
        self._parts.append(line)
        raw = b"".join(self._parts)
        name = _name_of(raw)
        events.append(CommandRead(self._tag or "", name.decode("ascii", "replace"), raw))
        self._reset_command()
        if name in PAUSING_COMMANDS:
            self._mode = _Mode.PAUSED

    def _announce_literal(self, line: bytes, match: re.Match[bytes], events: list[ReadEvent]) -> None:
        size = int(match.group(2))
        synchronising = not match.group(3)
        if self._discarding:
            if synchronising:
                self._reset_command()  # the client waits for "+", which will not come
            else:
                self._literal_left = size
            return
        limit = self.max_literal_bytes
        if not synchronising and self.max_nonsync_literal_bytes is not None:
            limit = min(limit, self.max_nonsync_literal_bytes)
        if size > limit:
            events.append(
                ReadError(
                    ReadErrorKind.LITERAL_TOO_LARGE,
                    self._tag,
                    f"Literal quá lớn ({size} byte, tối đa {limit})",
                    f"Literal too large ({size} octets, at most {limit})",
                )
            )
            if synchronising:
                self._reset_command()
            else:
                self._discarding = True
                self._parts.clear()
                self._literal_left = size
            return
        self._parts.append(line + b"\r\n")
        self._literal_left = size
        if synchronising:
            events.append(NeedContinuation(self._tag or "", size))

    def _line_too_long(self, events: list[ReadEvent]) -> None:
        tag = self._tag
        if tag is None and not self._parts:
            tag = _tag_of(bytes(self._buffer[:256]))
        events.append(
            ReadError(
                ReadErrorKind.LINE_TOO_LONG,
                tag,
                f"Dòng lệnh quá dài (tối đa {self.max_line_bytes} byte)",
                f"Command line too long (at most {self.max_line_bytes} octets)",
            )
        )
        line_mode = self._mode is _Mode.LINE
        self._reset_command()
        self._discarding = True
        self._skipping_line = True
        if line_mode:
            self._mode = _Mode.PAUSED

    def _skip_line(self, newline: int) -> bool:
        buffer = self._buffer
        if newline < 0:
            self._tail = (self._tail + bytes(buffer))[-_TAIL_BYTES:]
            buffer.clear()
            return False
        tail = (self._tail + bytes(buffer[:newline]))[-_TAIL_BYTES:]
        del buffer[: newline + 1]
        self._skipping_line = False
        self._tail = b""
        match = _LITERAL_END.search(tail)
        if match is not None and match.group(3):
            self._literal_left = int(match.group(2))  # a non-synchronising literal follows: skip it too
        else:
            self._reset_command()
        return True


def _tag_of(line: bytes) -> str | None:
    tag = line.split(b" ", 1)[0]
    if not tag or any(byte not in TAG_CHARS for byte in tag):
        return None
    return tag.decode("ascii")


def _name_of(raw: bytes) -> bytes:
    words = raw.split(b" ", 2)
    return words[1].upper() if len(words) > 1 else b""
