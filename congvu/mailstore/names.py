"""Folder names and the paths a viewer uses for them.

A folder name is NFC text with ``/`` between hierarchy levels (RFC 9051 §5.1); ``INBOX`` is case-insensitive
and any other name case-sensitive. A viewer names its own folders by their names and the folders of an agency
mailbox it is delegated by ``Shared/<mailbox address>/<name>`` (RFC 2342 §5 other users' namespace).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from congvu.errors import InvalidInput
from congvu.mailstore.api import DELIMITER, INBOX, SHARED_ROOT

MAX_NAME_CHARS = 500
MAX_LEVELS = 32
# RFC 9051 §5.1 / §6.3.9: the LIST wildcards cannot be part of a name a client could list.
_FORBIDDEN = frozenset("*%")


@dataclass(frozen=True)
class FolderPath:
    """``owner_address`` is None for the viewer's own folders."""

    owner_address: str | None
    name: str


def canonical_inbox(name: str) -> str:
    head, sep, tail = name.partition(DELIMITER)
    return INBOX + sep + tail if head.upper() == INBOX else name


def check_name(name: str) -> str:
    """A valid folder name in canonical form, or :class:`InvalidInput`."""
    text = unicodedata.normalize("NFC", name)
    bad = (not text or len(text) > MAX_NAME_CHARS or text.startswith(DELIMITER) or text.endswith(DELIMITER)
           or f"{DELIMITER}{DELIMITER}" in text or text.count(DELIMITER) >= MAX_LEVELS
           or any(ch in _FORBIDDEN or ord(ch) < 0x20 or ord(ch) == 0x7F for ch in text)
           or any(part != part.strip() or part in (".", "..") for part in text.split(DELIMITER)))
    if bad:
        raise InvalidInput(f"Tên thư mục không hợp lệ: «{name}»", message_en=f"Invalid mailbox name: {name!r}",
                           field="name")
    return canonical_inbox(text)


def parse_path(path: str) -> FolderPath:
    """Split a viewer's path into owner and name (names are checked)."""
    text = unicodedata.normalize("NFC", path).rstrip(DELIMITER) if path != DELIMITER else path
    head, sep, rest = text.partition(DELIMITER)
    if head == SHARED_ROOT:
        address, sep2, name = rest.partition(DELIMITER)
        if not sep or not sep2 or not address:
            raise InvalidInput(f"«{path}» không phải một thư mục chọn được.",
                               message_en=f"{path!r} is not a selectable mailbox", field="name")
        return FolderPath(address.lower(), check_name(name))
    return FolderPath(None, check_name(text))


def check_own_name(name: str) -> str:
    """A name a person may create in its own mailbox: not inside the shared namespace."""
    checked = check_name(name)
    if checked.partition(DELIMITER)[0] == SHARED_ROOT:
        raise InvalidInput(f"«{SHARED_ROOT}» dành cho hộp thư dùng chung.",
                           message_en=f"{SHARED_ROOT!r} is reserved for shared mailboxes", field="name")
    return checked


def superiors(name: str) -> list[str]:
    """``a/b/c`` → ``["a", "a/b"]``."""
    parts = name.split(DELIMITER)
    return [DELIMITER.join(parts[:i]) for i in range(1, len(parts))]


def is_inferior(name: str, of: str) -> bool:
    return name.startswith(of + DELIMITER)
