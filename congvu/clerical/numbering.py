"""Số, ký hiệu of administrative documents and the edXML DocumentId key.

NĐ 30/2020 Phụ lục I mục I.3 and Điều 15: the number is the document's ordinal among those the agency issues
in the year, in Arabic digits, with a leading zero below 10 (``05``); ``/`` separates số and ký hiệu, ``-``
separates the groups of the ký hiệu, no spaces. Ký hiệu of a named type = type abbreviation + issuing agency
(``15/QĐ-BNV``), optionally followed by a unit as done in practice (``05/QĐ-STTTT-VP``); of a công văn =
issuing agency + drafting unit or field (``6806/UBND-TTTH``); of a copy = copy form + copying agency
(``05/SY-UBND``). Legal normative documents carry the year (``30/2020/NĐ-CP``) and have their own numbering;
they are parsed only.

QCVN 102:2016 DocumentId = ``<From/OrganId>,<yyyy/MM/dd>,<CodeNumber>/<CodeNotation>``; it is a cross-system
key, so a DocumentId with an impossible date (one official sample has ``2014/02/30``) is kept as written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from congvu.clerical.doctypes import DocumentType, find_by_abbreviation, resolve_type
from congvu.clerical.textkey import clean_text
from congvu.errors import InvalidInput

_GROUP = r"[^\W_]+"
_GROUP_RE = re.compile(rf"^{_GROUP}$")
_GROUPS_RE = re.compile(rf"^{_GROUP}(?:-{_GROUP})*$")
_NUMBER_RE = re.compile(rf"^(?P<so>\d+)(?:/(?P<year>\d{{4}}))?/(?P<kh>{_GROUP}(?:-{_GROUP})+)$")
_CANONICAL_SO = re.compile(r"^(?:0[1-9]|[1-9]\d+)$")
_PREFIX_SO = re.compile(r"^s[oố]\s*[:.]?\s*(?=\d)", re.IGNORECASE)
_DASHES = str.maketrans(
    {"\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2212": "-"}
)
_DOCUMENT_ID_RE = re.compile(
    r"^(?P<organ>[^,\s]+),(?P<date>\d{4}/\d{2}/\d{2}),(?P<so>\d+)/(?P<kh>[^\s/][^/]*)$"
)


def format_ordinal(number: int) -> str:
    """Return the số as printed: zero-padded to two digits below 10, as is from 10 (NĐ 30 Phụ lục I I.3)."""
    if isinstance(number, bool) or not isinstance(number, int) or number < 1:
        raise InvalidInput(
            f"Số văn bản phải là số nguyên dương, không phải {number!r}",
            message_en=f"The document number must be a positive integer, not {number!r}",
            field="number",
        )
    return f"{number:02d}"


@dataclass(frozen=True)
class ParsedNumber:
    """A số, ký hiệu split into its parts.

    ``type_abbr`` is the official abbreviation when the first group is one (None for a công văn); ``org`` is
    the issuing agency's abbreviation; ``unit`` the remaining groups (drafting unit or field); ``year`` is set
    only for legal normative documents (``30/2020/NĐ-CP``), whose first group is then always their type.
    """

    number: int
    type_abbr: str | None
    org: str
    unit: str | None = None
    year: int | None = None

    @property
    def number_text(self) -> str:
        return format_ordinal(self.number)

    @property
    def notation(self) -> str:
        """The ký hiệu alone (edXML ``CodeNotation``): ``UBND-TTTH``, ``QĐ-BNV``."""
        groups = [g for g in (self.type_abbr, self.org, self.unit) if g]
        return "-".join(groups)

    @property
    def text(self) -> str:
        """The canonical số, ký hiệu: ``07/CT-UBND``."""
        if self.year is not None:
            return f"{self.number_text}/{self.year}/{self.notation}"
        return f"{self.number_text}/{self.notation}"

    @property
    def is_legal_normative(self) -> bool:
        return self.year is not None

    @property
    def doc_type(self) -> DocumentType | None:
        """The administrative type or copy form named by the ký hiệu; None for a công văn or a QPPL."""
        if self.type_abbr is None or self.year is not None:
            return None
        return find_by_abbreviation(self.type_abbr)

    def __str__(self) -> str:
        return self.text


def _invalid(text: str, reason: str, reason_en: str) -> InvalidInput:
    return InvalidInput(
        f"Số, ký hiệu '{text}' không hợp lệ: {reason}",
        message_en=f"Invalid document number '{text}': {reason_en}",
        field="number",
    )


def _tolerant_form(text: str) -> str:
    # Spaces around the separators and a leading "Số:" are common in scanned and typed documents
    # (`Số: 9459 /UBND-TTTH`, `07 /CT-CTUBND`).
    text = _PREFIX_SO.sub("", text.translate(_DASHES).strip())
    text = re.sub(r"\s*([/-])\s*", r"\1", text)
    return text


def parse_number(
    text: str, *, strict: bool = False, doc_type: DocumentType | str | None = None
) -> ParsedNumber:
    """Split a số, ký hiệu into its parts.

    Strict mode accepts only the form of NĐ 30 (no spaces, ``01``–``09`` padded, no padding from 10). The
    default tolerant mode also accepts a leading ``Số:``, spaces around ``/`` and ``-``, typographic dashes
    and unpadded or over-padded numbers, and returns the canonical form in :attr:`ParsedNumber.text`.

    Whether the first group is a type abbreviation or an agency cannot always be told from the string (an
    agency may be abbreviated ``TC``); pass ``doc_type`` when the register knows the type.
    """
    cleaned = clean_text(text).strip()
    candidate = cleaned if strict else _tolerant_form(cleaned)
    if not candidate:
        raise _invalid(cleaned, "chuỗi rỗng", "empty string")
    if strict and re.search(r"\s", candidate):
        raise _invalid(cleaned, "không được có dấu cách", "spaces are not allowed")
    match = _NUMBER_RE.match(candidate)
    if match is None:
        raise _invalid(
            cleaned,
            "phải có dạng số/ký hiệu, ví dụ 07/CT-UBND hoặc 6806/UBND-TTTH",
            "expected number/notation such as 07/CT-UBND or 6806/UBND-TTTH",
        )
    so, year, notation = match.group("so"), match.group("year"), match.group("kh")
    if strict and not _CANONICAL_SO.match(so):
        raise _invalid(
            cleaned,
            "số nhỏ hơn 10 viết 01–09, từ 10 trở lên không thêm số 0 (NĐ 30/2020 Phụ lục I)",
            "numbers below 10 are written 01-09 and larger numbers are not padded",
        )
    number = int(so)
    if number < 1:
        raise _invalid(cleaned, "số phải bắt đầu từ 01", "numbers start at 01")
    groups = notation.split("-")
    if year is not None:
        return ParsedNumber(number, groups[0], groups[1], "-".join(groups[2:]) or None, int(year))
    hint = resolve_type(doc_type) if doc_type is not None else None
    first = _first_group_type(groups[0], hint, strict=strict)
    if first is None:
        return ParsedNumber(number, None, groups[0], "-".join(groups[1:]) or None)
    return ParsedNumber(number, first.abbreviation, groups[1], "-".join(groups[2:]) or None)


def _first_group_type(group: str, hint: DocumentType | None, *, strict: bool) -> DocumentType | None:
    if hint is not None:
        if not hint.has_abbreviation:
            return None
        found = find_by_abbreviation(group, strict=strict)
        if found is not hint:
            raise _invalid(
                group,
                f"ký hiệu của {hint.name.lower()} phải bắt đầu bằng {hint.abbreviation}",
                f"the notation of this type must start with {hint.abbreviation}",
            )
        return hint
    return find_by_abbreviation(group, strict=strict)


def _check_groups(value: str, field: str, *, single: bool) -> str:
    value = clean_text(value).strip()
    pattern = _GROUP_RE if single else _GROUPS_RE
    if not pattern.match(value):
        what = "một nhóm chữ và số liền nhau" if single else "các nhóm chữ và số nối bằng dấu '-'"
        raise InvalidInput(
            f"Chữ viết tắt '{value}' không hợp lệ: phải là {what}, không có dấu cách",
            message_en=f"Invalid abbreviation '{value}' for {field}",
            field=field,
        )
    return value


def compose_number(number: int, *, doc_type: DocumentType | str, org: str, unit: str | None = None) -> str:
    """Build the số, ký hiệu of an administrative document or copy (NĐ 30/2020 Phụ lục I I.3).

    ``doc_type`` is a record, a machine code (``cong_van``) or an official abbreviation. A công văn needs the
    drafting unit or field (``6806/UBND-TTTH``). The decree gives no model for a thư công; it is numbered like
    a công văn.
    """
    kind = resolve_type(doc_type)
    so = format_ordinal(number)
    org_abbr = _check_groups(org, "org", single=True)
    unit_abbr = _check_groups(unit, "unit", single=False) if unit else None
    if kind.abbreviation is None:
        if unit_abbr is None:
            raise InvalidInput(
                f"Ký hiệu {kind.name.lower()} gồm chữ viết tắt tên cơ quan và tên đơn vị "
                "soạn thảo hoặc lĩnh vực: thiếu đơn vị",
                message_en="An official letter's notation needs the drafting unit or field",
                field="unit",
            )
        return f"{so}/{org_abbr}-{unit_abbr}"
    suffix = f"-{unit_abbr}" if unit_abbr else ""
    return f"{so}/{kind.abbreviation}-{org_abbr}{suffix}"


@dataclass(frozen=True)
class DocumentId:
    """The QCVN 102:2016 DocumentId: ``000.00.11.H53,2020/10/30,2491/STC-BCTC``."""

    organ_id: str
    date_text: str
    code_number: str
    code_notation: str

    @property
    def text(self) -> str:
        return f"{self.organ_id},{self.date_text},{self.code_number}/{self.code_notation}"

    @property
    def code(self) -> str:
        """The joined ``số/ký hiệu`` used in ``ResponseFor/Code``."""
        return f"{self.code_number}/{self.code_notation}"

    @property
    def promulgation_date(self) -> date | None:
        """The date of the key, or None when it is not a real date (the key stays usable)."""
        try:
            year, month, day = (int(p) for p in self.date_text.split("/"))
            return date(year, month, day)
        except ValueError:
            return None

    def __str__(self) -> str:
        return self.text

    @classmethod
    def compose(
        cls, organ_id: str, promulgation_date: date, code_number: str | int, code_notation: str
    ) -> DocumentId:
        number = format_ordinal(code_number) if isinstance(code_number, int) else clean_text(code_number).strip()
        notation = clean_text(code_notation).strip()
        organ = clean_text(organ_id).strip()
        if not number.isdigit() or not organ or "," in organ or not notation or "/" in notation:
            raise InvalidInput(
                "Không lập được DocumentId: mã cơ quan, số hoặc ký hiệu không hợp lệ",
                message_en="Cannot compose a DocumentId from these parts",
                field="document_id",
            )
        return cls(organ, promulgation_date.strftime("%Y/%m/%d"), number, notation)


def compose_document_id(
    organ_id: str, promulgation_date: date, code_number: str | int, code_notation: str
) -> str:
    """Return ``<OrganId>,<yyyy/MM/dd>,<số>/<ký hiệu>`` (QCVN 102:2016 MessageHeader/DocumentId)."""
    return DocumentId.compose(organ_id, promulgation_date, code_number, code_notation).text


def parse_document_id(text: str) -> DocumentId:
    """Split a DocumentId; the date is checked for shape only, never for being a real day."""
    cleaned = clean_text(text).strip()
    match = _DOCUMENT_ID_RE.match(cleaned)
    if match is None:
        raise InvalidInput(
            f"DocumentId '{cleaned}' không đúng dạng <mã cơ quan>,<yyyy/MM/dd>,<số>/<ký hiệu>",
            message_en=f"DocumentId '{cleaned}' is not organ,yyyy/MM/dd,number/notation",
            field="document_id",
        )
    return DocumentId(match.group("organ"), match.group("date"), match.group("so"), match.group("kh"))
