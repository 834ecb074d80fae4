"""Safe loading of edXML bytes and namespace-aware reading of elements and values.

Loading (QCVN 102:2016 packages are plain UTF-8 XML without a DTD): the size is checked first; lxml parses
without entity resolution, DTD loading or network access and without its "huge" mode; a DOCTYPE is refused
outright, so neither an entity expansion (billion laughs) nor an external entity can get through.

Lookup is by namespace URI and local name, never by prefix; unqualified children are accepted too, since some
integrators qualify only the root. Values: dates ``yyyy/MM/dd`` (also ``dd/MM/yyyy`` and ISO on input), times
``yyyy/MM/dd HH:mm:ss`` in Vietnam time.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import TypeAlias

from lxml import etree

from congvu.clerical.numbering import parse_document_id
from congvu.edxml.errors import EdxmlError
from congvu.edxml.model import NAMESPACE, VIETNAM_TIME
from congvu.errors import InvalidInput

El: TypeAlias = etree._Element


@dataclass(frozen=True)
class ParseLimits:
    """Bounds on what a package may cost to read.

    ``allow_huge_text`` lifts libxml2's 10 MB limit on one text node, which caps an attachment at about 7.5 MB
    of file; it is off by default and only ever used together with the DOCTYPE refusal.
    """

    max_package_bytes: int = 64 * 1024 * 1024
    max_attachment_bytes: int = 64 * 1024 * 1024
    allow_huge_text: bool = False


DEFAULT_LIMITS = ParseLimits()
_NAMESPACES = (NAMESPACE, None)
_DATE_FORMATS = ("%Y/%m/%d", "%d/%m/%Y", "%Y-%m-%d")
_TIME_FORMATS = ("%Y/%m/%d %H:%M:%S", "%d/%m/%Y %H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M")


def is_named(element: El, name: str) -> bool:
    """True when ``element`` is ``name`` in the QCVN namespace (or unqualified); comments never are."""
    if not isinstance(element.tag, str):
        return False
    qname = etree.QName(element)
    return qname.localname == name and qname.namespace in _NAMESPACES


def children(parent: El | None, *names: str) -> Iterator[El]:
    """The direct children of ``parent`` carrying one of ``names``, in document order."""
    if parent is None:
        return
    for node in parent:
        if any(is_named(node, n) for n in names):
            yield node


def child(parent: El | None, *names: str) -> El | None:
    """The first such child, or None."""
    return next(children(parent, *names), None)


def text(parent: El | None, *names: str) -> str:
    """The trimmed text of the first such child; ``""`` when absent or empty."""
    element = child(parent, *names)
    return inner_text(element) if element is not None else ""


def inner_text(element: El) -> str:
    """All the text inside ``element``, trimmed."""
    return "".join(t if isinstance(t, str) else t.decode() for t in element.itertext()).strip()


def required_text(parent: El | None, path: str, name: str) -> str:
    """The text of a child that must be present and not empty; ``path`` names the parent in errors."""
    value = text(parent, name)
    if not value:
        raise EdxmlError(
            f"Thiếu phần tử bắt buộc {path}/{name}",
            message_en=f"Required element {path}/{name} is missing or empty",
            element=f"{path}/{name}",
        )
    return value


def required_child(parent: El | None, path: str, name: str) -> El:
    """A child that must be present."""
    element = child(parent, name)
    if element is None:
        raise EdxmlError(
            f"Thiếu phần tử bắt buộc {path}/{name}",
            message_en=f"Required element {path}/{name} is missing",
            element=f"{path}/{name}",
        )
    return element


def parse_date(value: str, path: str) -> date | None:
    """``yyyy/MM/dd`` (or ``dd/MM/yyyy``, ISO); None when empty."""
    if not value:
        return None
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise EdxmlError(
        f"{path}: ngày '{value}' không đúng dạng yyyy/MM/dd",
        message_en=f"{path}: date '{value}' is not yyyy/MM/dd",
        element=path,
    )


def parse_timestamp(value: str, path: str) -> datetime:
    """``yyyy/MM/dd HH:mm:ss`` read as Vietnam time (or ISO 8601, its offset honoured)."""
    for fmt in _TIME_FORMATS:
        try:
            return datetime.strptime(value, fmt).replace(tzinfo=VIETNAM_TIME)
        except ValueError:
            continue
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise EdxmlError(
            f"{path}: thời điểm '{value}' không đúng dạng yyyy/MM/dd HH:mm:ss",
            message_en=f"{path}: time '{value}' is not yyyy/MM/dd HH:mm:ss",
            element=path,
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=VIETNAM_TIME)


def parse_int(value: str, path: str, default: int) -> int:
    """An integer, ``default`` when empty."""
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise EdxmlError(
            f"{path}: '{value}' không phải số nguyên",
            message_en=f"{path}: '{value}' is not an integer",
            element=path,
        ) from None


def parse_flag(value: str) -> bool:
    """``1``/``true`` → True; anything else (``0``, empty) → False."""
    return value.strip().lower() in {"1", "true", "yes"}


def checked_document_id(value: str, path: str) -> str:
    """``value`` when it has the DocumentId shape (the date is not checked: it is an opaque key)."""
    try:
        parse_document_id(value)
    except InvalidInput:
        raise EdxmlError(
            f"{path}: DocumentId '{value}' không đúng dạng <mã cơ quan>,<yyyy/MM/dd>,<số>/<ký hiệu>",
            message_en=f"{path}: malformed DocumentId '{value}'",
            element=path,
        ) from None
    return value


def load_xml(data: bytes, limits: ParseLimits) -> El:
    """Parse ``data`` safely (see the module notes) and return the root element."""
    if not isinstance(data, bytes | bytearray | memoryview):
        raise EdxmlError("Gói tin phải là dãy byte", message_en="The package must be bytes")
    if len(data) > limits.max_package_bytes:
        raise EdxmlError(
            f"Gói tin dài {len(data)} byte, vượt giới hạn {limits.max_package_bytes}",
            message_en=f"Package of {len(data)} bytes exceeds {limits.max_package_bytes}",
        )
    if _declares_doctype(bytes(data[:_PROLOG_SCAN_BYTES])):
        raise _doctype_error()
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=limits.allow_huge_text,
        remove_comments=True,
        remove_pis=True,
        collect_ids=False,
    )
    try:
        root = etree.fromstring(bytes(data), parser)
    except etree.XMLSyntaxError as error:
        raise EdxmlError(f"XML không hợp lệ: {error}", message_en=f"Malformed XML: {error}") from None
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:  # type: ignore[union-attr]
        raise _doctype_error()
    return root


_PROLOG_SCAN_BYTES = 1 << 20
_PROLOG_ITEM = re.compile(rb"\s*(?:<\?.*?\?>|<!--.*?-->)", re.S)


def _declares_doctype(head: bytes) -> bool:
    # Checked before parsing so that libxml2 never starts on a DTD: no entity is declared, none expanded,
    # no external subset fetched. UTF-16 input is looked at in UTF-8 for the purpose.
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        head = head.decode("utf-16", errors="ignore").encode("utf-8")
    head = head.removeprefix(b"\xef\xbb\xbf")
    pos = 0
    while (match := _PROLOG_ITEM.match(head, pos)) is not None and match.end() > pos:
        pos = match.end()
    return head[pos:].lstrip().startswith(b"<!DOCTYPE")


def _doctype_error() -> EdxmlError:
    return EdxmlError(
        "Gói tin edXML không được có khai báo DOCTYPE/ENTITY",
        message_en="DOCTYPE and entity declarations are not allowed in edXML",
        element="DOCTYPE",
    )
