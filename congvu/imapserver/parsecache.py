"""Commands already parsed, shared by every connection: clients repeat the same few commands (``NOOP``, ``UID
FETCH 1:* (FLAGS)``, ``STATUS INBOX (…)``, the FETCH of a message list's fields), and parsing a FETCH attribute
list costs more than answering it from cache.

A command's meaning depends only on its text after the tag and on whether mailbox names are UTF-8 (RFC 6855 §3,
IMAP4rev2), so the parsed value is reused with the new tag. Commands that carry a password (LOGIN, AUTHENTICATE)
or message data (APPEND), and long ones, are never kept; errors are not kept either.
"""

from __future__ import annotations

import dataclasses
import threading

from congvu.imap.commands import Append, Authenticate, Command, Login
from congvu.imap.parser import parse_command, read_tag

MAX_COMMANDS = 2_048
MAX_COMMAND_BYTES = 300
_NOT_KEPT = (Login, Authenticate, Append)


class ParseCache:
    def __init__(self, max_commands: int = MAX_COMMANDS) -> None:
        self.max_commands = max_commands
        self._parsed: dict[tuple[bytes, bool], Command] = {}
        self._lock = threading.Lock()

    def parse(self, raw: bytes, *, utf8: bool) -> Command:
        """``parse_command(raw, utf8=utf8)``, from cache when the same text came before."""
        tag = read_tag(raw) if len(raw) <= MAX_COMMAND_BYTES else None
        if tag is None:
            return parse_command(raw, utf8=utf8)
        key = (raw[len(tag):], utf8)
        found = self._parsed.get(key)
        if found is not None:
            return dataclasses.replace(found, tag=tag)
        command = parse_command(raw, utf8=utf8)
        if not isinstance(command, _NOT_KEPT):
            with self._lock:
                self._parsed[key] = command
                while len(self._parsed) > self.max_commands:
                    del self._parsed[next(iter(self._parsed))]
        return command
