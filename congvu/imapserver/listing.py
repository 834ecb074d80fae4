"""LIST and LSUB (RFC 9051 §6.3.9, RFC 3501 §6.3.9) with LIST-EXTENDED (RFC 5258), CHILDREN (RFC 3348) and
SPECIAL-USE (RFC 6154): which folders a pattern names and with which attributes.

The viewer's folders come from the store with their paths as the viewer sees them; agency mailboxes sit under
``Shared/<agency address>/`` (RFC 2342 other users' namespace). The levels ``Shared`` and ``Shared/<address>``
are not folders: they are listed ``\\Noselect`` so that clients can walk the tree. Special-use attributes are
given for the viewer's own folders only, so a client never mistakes an agency's Sent folder for its own.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from congvu.imap.commands import List
from congvu.mailstore.api import DELIMITER, INBOX, SHARED_ROOT, FolderInfo

NOSELECT = "\\Noselect"
HAS_CHILDREN = "\\HasChildren"
HAS_NO_CHILDREN = "\\HasNoChildren"
SUBSCRIBED = "\\Subscribed"


@dataclass(frozen=True)
class ListEntry:
    name: str
    attributes: tuple[str, ...]
    folder: FolderInfo | None  # None for a level that is not a folder
    child_info: tuple[str, ...] = ()


def pattern_regex(pattern: str) -> re.Pattern[str]:
    """RFC 9051 §6.3.9: ``*`` matches anything, ``%`` anything but the hierarchy delimiter."""
    pieces = []
    for char in pattern:
        if char == "*":
            pieces.append(".*")
        elif char == "%":
            pieces.append(f"[^{re.escape(DELIMITER)}]*")
        else:
            pieces.append(re.escape(char))
    return re.compile("".join(pieces) + r"\Z", re.DOTALL)


def _inbox_folded(pattern: str) -> str:
    """INBOX is case-insensitive (RFC 9051 §5.1): ``inbox*`` must match ``INBOX``."""
    if pattern[:5].upper() == INBOX:
        return INBOX + pattern[5:]
    return pattern


def full_pattern(reference: str, pattern: str) -> str:
    """The reference and the pattern joined (RFC 9051 §6.3.9 leaves the rule to the server; this is the usual
    one: a pattern starting with the delimiter or a reference ending in it is not doubled)."""
    if not reference:
        return pattern
    if reference.endswith(DELIMITER) and pattern.startswith(DELIMITER):
        return reference + pattern[1:]
    return reference + pattern


def _ancestors(path: str) -> list[str]:
    parts = path.split(DELIMITER)
    return [DELIMITER.join(parts[:i]) for i in range(1, len(parts))]


def _tree(folders: Sequence[FolderInfo]) -> tuple[dict[str, FolderInfo | None], set[str]]:
    """Every listable name (folders and the levels above them) and the names that have children."""
    nodes: dict[str, FolderInfo | None] = {}
    parents: set[str] = set()
    for folder in folders:
        nodes[folder.path] = folder
    for folder in folders:
        for ancestor in _ancestors(folder.path):
            parents.add(ancestor)
            nodes.setdefault(ancestor, None)
    return nodes, parents


def _attributes(name: str, folder: FolderInfo | None, parents: set[str], *, subscribed: bool) -> tuple[str, ...]:
    attrs: list[str] = []
    if folder is None:
        attrs.append(NOSELECT)
    attrs.append(HAS_CHILDREN if name in parents or (folder is not None and folder.has_children) else HAS_NO_CHILDREN)
    if subscribed and folder is not None and folder.subscribed:
        attrs.append(SUBSCRIBED)
    if folder is not None and folder.special_use and not folder.shared:
        attrs.append(folder.special_use)
    return tuple(attrs)


def folder_attributes(folder: FolderInfo) -> tuple[str, ...]:
    """The attributes of one folder as LIST would give them (for the LIST response of an IMAP4rev2 SELECT)."""
    return _attributes(folder.path, folder, set(), subscribed=True)


def list_entries(command: List, folders: Sequence[FolderInfo]) -> list[ListEntry]:
    """The LIST responses for ``command`` (not the empty-pattern delimiter query)."""
    nodes, parents = _tree(folders)
    regexes = [pattern_regex(_inbox_folded(full_pattern(command.reference, p))) for p in command.patterns if p]
    only_subscribed = "SUBSCRIBED" in command.select_options
    only_special = "SPECIAL-USE" in command.select_options
    recursive = "RECURSIVEMATCH" in command.select_options
    show_subscribed = only_subscribed or "SUBSCRIBED" in command.return_options  # RFC 5258 §3

    def wanted(folder: FolderInfo | None) -> bool:
        if only_subscribed and (folder is None or not folder.subscribed):
            return False
        return not (only_special and (folder is None or not folder.special_use or folder.shared))

    entries: list[ListEntry] = []
    matched: set[str] = set()
    for name in sorted(nodes, key=_order):
        if not any(regex.match(name) for regex in regexes):
            continue
        folder = nodes[name]
        if wanted(folder):
            entries.append(ListEntry(name, _attributes(name, folder, parents, subscribed=show_subscribed), folder))
            matched.add(name)
    if recursive:
        entries = _with_child_info(entries, nodes, parents, regexes, matched, wanted, show_subscribed)
    return entries


def _with_child_info(entries: list[ListEntry], nodes: dict[str, FolderInfo | None], parents: set[str],
                     regexes: Sequence[re.Pattern[str]], matched: set[str],
                     wanted: Callable[[FolderInfo | None], bool], show_subscribed: bool) -> list[ListEntry]:
    """RFC 5258 §3.5: a matching name whose descendant meets the selection but itself does not is returned
    with CHILDINFO (SUBSCRIBED)."""
    extra: list[ListEntry] = []
    for name in sorted(nodes, key=_order):
        if name in matched or not any(regex.match(name) for regex in regexes):
            continue
        prefix = name + DELIMITER
        if any(other.startswith(prefix) and wanted(nodes[other]) for other in nodes):
            attrs = _attributes(name, nodes[name], parents, subscribed=show_subscribed)
            extra.append(ListEntry(name, attrs, nodes[name], ("SUBSCRIBED",)))
    return sorted(entries + extra, key=lambda e: _order(e.name))


def lsub_entries(reference: str, pattern: str, folders: Sequence[FolderInfo]) -> list[ListEntry]:
    """RFC 3501 §6.3.9: subscribed names; a level above a subscribed name that ``%`` stops at is ``\\Noselect``."""
    regex = pattern_regex(_inbox_folded(full_pattern(reference, pattern)))
    subscribed = {f.path: f for f in folders if f.subscribed}
    entries: dict[str, ListEntry] = {}
    for path, folder in subscribed.items():
        if regex.match(path):
            entries[path] = ListEntry(path, (), folder)
        for ancestor in _ancestors(path):
            if ancestor not in subscribed and ancestor not in entries and regex.match(ancestor):
                entries[ancestor] = ListEntry(ancestor, (NOSELECT,), None)
    return [entries[name] for name in sorted(entries, key=_order)]


def _order(name: str) -> tuple[int, str]:
    """INBOX first, then own folders, then the shared tree; alphabetical within each."""
    if name == INBOX or name.startswith(INBOX + DELIMITER):
        return (0, name)
    return (2 if name.split(DELIMITER, 1)[0] == SHARED_ROOT else 1, name)


def selectable(entries: Iterable[ListEntry]) -> list[ListEntry]:
    return [e for e in entries if e.folder is not None]
