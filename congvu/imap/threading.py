"""The THREAD algorithms of RFC 5256 §3: ORDEREDSUBJECT and REFERENCES, as pure functions over message
records, and the THREAD response tree they produce.

Each message is given by its number (sequence number or UID: the value returned, and the tie-breaker when
dates are equal), Message-ID, referenced ids (the References field, or In-Reply-To when References holds
none), subject (decoded) and sent date (the Date field, or INTERNALDATE when Date is missing or unreadable,
RFC 5256 §2.2). Trees are walked with explicit stacks so a hostile mailbox cannot exhaust the call stack.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from congvu.imap.subject import BaseSubject, base_subject

__all__ = [
    "ThreadMessage",
    "ThreadNode",
    "base_subject",
    "message_ids",
    "thread_messages",
    "thread_orderedsubject",
    "thread_references",
]

_MSG_ID = re.compile(r"<[^<>\s]+>")


@dataclass(frozen=True)
class ThreadMessage:
    number: int
    message_id: str | None
    references: tuple[str, ...]
    subject: str
    sent: datetime


@dataclass(frozen=True)
class ThreadNode:
    """A message (``number``) or, with ``number`` None, a placeholder whose children share a subject."""

    number: int | None
    children: tuple[ThreadNode, ...] = ()


def message_ids(header: str | None) -> tuple[str, ...]:
    """The ``<id>`` tokens of a References, In-Reply-To or Message-ID field, in order."""
    return tuple(_MSG_ID.findall(header or ""))


def _when(message: ThreadMessage) -> tuple[datetime, int]:
    sent = message.sent if message.sent.tzinfo else message.sent.replace(tzinfo=UTC)
    return sent, message.number


def thread_orderedsubject(messages: Iterable[ThreadMessage]) -> tuple[ThreadNode, ...]:
    """RFC 5256 §3: group by base subject; the first of each group is the parent of all the others."""
    groups: dict[str, list[ThreadMessage]] = {}
    for message in messages:
        groups.setdefault(base_subject(message.subject).key, []).append(message)
    threads = []
    for group in groups.values():
        group.sort(key=_when)
        first, rest = group[0], group[1:]
        threads.append((_when(first), ThreadNode(first.number, tuple(ThreadNode(m.number) for m in rest))))
    threads.sort(key=lambda item: item[0])
    return tuple(node for _, node in threads)


class _Container:
    __slots__ = ("children", "message", "parent")

    def __init__(self, message: ThreadMessage | None = None) -> None:
        self.message = message
        self.parent: _Container | None = None
        self.children: list[_Container] = []

    def adopt(self, child: _Container) -> None:
        if child.parent is not None:
            child.parent.children.remove(child)
        child.parent = self
        self.children.append(child)

    def is_descendant_of(self, other: _Container) -> bool:
        node: _Container | None = self
        while node is not None:
            if node is other:
                return True
            node = node.parent
        return False

    def first_message(self) -> ThreadMessage:
        node = self
        while node.message is None:
            node = node.children[0]
        return node.message

    def subject(self) -> BaseSubject:
        return base_subject(self.first_message().subject)


def _link(messages: Sequence[ThreadMessage]) -> list[_Container]:
    """Steps 1 and 2: containers linked by References; returns the root set."""
    table: dict[str, _Container] = {}
    containers: list[_Container] = []
    for message in sorted(messages, key=lambda m: m.number):
        parent: _Container | None = None
        for ref in message.references:  # (1A)
            container = table.get(ref)
            if container is None:
                container = table[ref] = _Container()
                containers.append(container)
            if parent is not None and container.parent is None and not parent.is_descendant_of(container):
                parent.adopt(container)
            parent = container
        own = table.get(message.message_id) if message.message_id else None
        if own is None or own.message is not None:
            # A missing or duplicate Message-ID gets a unique one: only the first message keeps it.
            own = _Container(message)
            containers.append(own)
            if message.message_id and message.message_id not in table:
                table[message.message_id] = own
        own.message = message
        # (1B) the last reference becomes the parent, replacing a guessed one, unless that makes a loop.
        if parent is None:
            if own.parent is not None:
                own.parent.children.remove(own)
                own.parent = None
        elif not parent.is_descendant_of(own):
            parent.adopt(own)
    return [c for c in containers if c.parent is None]


def _prune(roots: list[_Container]) -> list[_Container]:
    """Step 4: drop empty placeholders and splice the children of the others into their place."""
    root = _Container()
    root.children = roots
    for c in roots:
        c.parent = root
    stack: list[tuple[_Container, bool]] = [(root, False)]
    while stack:
        node, visited = stack.pop()
        if not visited:
            stack.append((node, True))
            stack.extend((child, False) for child in node.children)
            continue
        kept: list[_Container] = []
        for child in node.children:
            if child.message is None and (node is not root or len(child.children) <= 1):
                for grandchild in child.children:
                    grandchild.parent = node
                kept.extend(child.children)
            else:
                kept.append(child)
        node.children = kept
    for c in root.children:
        c.parent = None
    return root.children


def _sort_key(container: _Container) -> tuple[datetime, int]:
    if container.message is not None:
        return _when(container.message)
    return min(_sort_key(child) for child in container.children)


def _sort(roots: list[_Container]) -> None:
    """Step 6: siblings by sent date, then number; a placeholder sorts as its earliest child."""
    roots.sort(key=_sort_key)
    stack = list(roots)
    while stack:
        node = stack.pop()
        node.children.sort(key=_sort_key)
        stack.extend(node.children)


def _group_by_subject(roots: list[_Container]) -> list[_Container]:
    """Step 5: merge root threads whose base subjects are equal."""
    table: dict[str, _Container] = {}
    for c in roots:  # (5B)
        subject = c.subject()
        if not subject.text:
            continue
        held = table.get(subject.key)
        if held is None or (
            held.message is not None and (c.message is None or (held.subject().reply and not subject.reply))
        ):
            table[subject.key] = c
    removed: set[int] = set()
    for c in list(roots):  # (5C)
        subject = c.subject()
        held = table.get(subject.key) if subject.text else None
        if held is None or held is c:
            continue
        removed.add(id(c))
        if held.message is None and c.message is None:
            for child in list(c.children):
                held.adopt(child)
        elif held.message is None or (subject.reply and not held.subject().reply):
            held.adopt(c)
        else:
            # Turn the held container into a placeholder over its old content and the current thread.
            moved = _Container(held.message)
            for child in list(held.children):
                moved.adopt(child)
            held.message = None
            held.adopt(moved)
            held.adopt(c)
    return [c for c in roots if id(c) not in removed]


def _freeze(roots: list[_Container]) -> tuple[ThreadNode, ...]:
    built: dict[int, ThreadNode] = {}
    stack: list[tuple[_Container, bool]] = [(c, False) for c in reversed(roots)]
    while stack:
        node, visited = stack.pop()
        if not visited:
            stack.append((node, True))
            stack.extend((child, False) for child in node.children)
            continue
        number = node.message.number if node.message is not None else None
        built[id(node)] = ThreadNode(number, tuple(built.pop(id(child)) for child in node.children))
    return tuple(built[id(c)] for c in roots)


def thread_references(messages: Iterable[ThreadMessage]) -> tuple[ThreadNode, ...]:
    """RFC 5256 §3 REFERENCES: link by Message-ID, prune placeholders, merge by base subject, sort."""
    roots = _prune(_link(list(messages)))
    _sort(roots)  # placeholders' first children must be settled before subjects are compared
    roots = _group_by_subject(roots)
    _sort(roots)
    return _freeze(roots)


def thread_messages(algorithm: str, messages: Iterable[ThreadMessage]) -> tuple[ThreadNode, ...]:
    """Dispatch on the THREAD algorithm name (``REFERENCES`` or ``ORDEREDSUBJECT``)."""
    if algorithm.upper() == "REFERENCES":
        return thread_references(messages)
    if algorithm.upper() == "ORDEREDSUBJECT":
        return thread_orderedsubject(messages)
    raise ValueError(f"unknown THREAD algorithm: {algorithm}")
