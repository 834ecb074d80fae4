"""The "Nơi nhận" block of a document: model, parser and printer.

NĐ 30/2020 Phụ lục I (thành phần "Nơi nhận") and the models of Phụ lục III: the heading ``Nơi nhận:``, then
one line per recipient starting with ``-`` and ending with ``;``, a purpose in brackets when useful (``(để báo
cáo)``, ``(b/c)``, ``(để thực hiện)``, ``(để biết)``), ``Như trên`` (the addressees of "Kính gửi") or ``Như
Điều 3`` for a decision, and last ``Lưu: VT, <drafting unit> (<copies>)``, ending with a full stop.

Entries read from text keep what was written. An entry names one agency (by its code), a distribution group,
the addressees above, the archive line, or is free text that the directory may resolve later. Lines read from
scanned or converted documents are tolerated: markdown emphasis, missing colons (``Lưu VT, TH``), quoted
purposes (``"b/c"``), e-mail addresses in brackets, lines wrapped without a bullet.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from congvu.clerical.agency_codes import QCVN102_RE, is_agency_code
from congvu.clerical.textkey import clean_line, fold_key


class Purpose(StrEnum):
    """Why a copy goes to a recipient."""

    REPORT = "report"
    EXECUTE = "execute"
    INFORM = "inform"
    COORDINATE = "coordinate"
    DIRECT = "direct"

    @property
    def label(self) -> str:
        return {
            "report": "để báo cáo",
            "execute": "để thực hiện",
            "inform": "để biết",
            "coordinate": "để phối hợp",
            "direct": "để chỉ đạo",
        }[self.value]


# Folded spellings seen in documents, "để" optional. Bare "TH" or "BC" are left out: they are also unit
# abbreviations ("Lưu: VT, TH").
_PURPOSE_WORDS: dict[str, Purpose] = {
    "bao cao": Purpose.REPORT,
    "b/c": Purpose.REPORT,
    "b/cao": Purpose.REPORT,
    "thuc hien": Purpose.EXECUTE,
    "t/h": Purpose.EXECUTE,
    "biet": Purpose.INFORM,
    "b/biet": Purpose.INFORM,
    "phoi hop": Purpose.COORDINATE,
    "p/h": Purpose.COORDINATE,
    "ph/h": Purpose.COORDINATE,
    "chi dao": Purpose.DIRECT,
    "c/d": Purpose.DIRECT,
    "ch/d": Purpose.DIRECT,
}


def parse_purpose(text: str) -> Purpose | None:
    """Map ``để báo cáo``, ``b/c``, ``b/cáo``, ``(để thực hiện)``… to a purpose; None when it is not one."""
    key = fold_key(text).strip('()"“” .;,')
    key = re.sub(r"^de\s+", "", key).replace(" /", "/").replace("/ ", "/")
    return _PURPOSE_WORDS.get(key)


class EntryKind(StrEnum):
    AGENCY = "agency"
    GROUP = "group"
    AS_ABOVE = "as_above"
    ARCHIVE = "archive"
    TEXT = "text"


@dataclass(frozen=True)
class RecipientEntry:
    """One line of the block.

    ``label`` is the text shown (without purpose, bullet or trailing punctuation). ``agency_code`` is set for
    an agency entry (or when a code was written in the line), ``group_code`` for a distribution group,
    ``email`` when an address was written in the line. ``archive_units`` and ``archive_copies`` describe the
    ``Lưu:`` line.
    """

    kind: EntryKind
    label: str
    purpose: Purpose | None = None
    purpose_text: str | None = None
    agency_code: str | None = None
    group_code: str | None = None
    email: str | None = None
    archive_units: tuple[str, ...] = ()
    archive_copies: int | None = None

    @classmethod
    def agency(cls, code: str, label: str, purpose: Purpose | None = None) -> RecipientEntry:
        return cls(EntryKind.AGENCY, clean_line(label), purpose, agency_code=code)

    @classmethod
    def group(cls, code: str, label: str, purpose: Purpose | None = None) -> RecipientEntry:
        return cls(EntryKind.GROUP, clean_line(label), purpose, group_code=code)

    @classmethod
    def as_above(cls, label: str = "Như trên") -> RecipientEntry:
        return cls(EntryKind.AS_ABOVE, clean_line(label))

    @classmethod
    def archive(cls, units: tuple[str, ...] = ("VT",), copies: int | None = None) -> RecipientEntry:
        units = tuple(clean_line(u) for u in units if clean_line(u))
        label = _archive_label(units, copies)
        return cls(EntryKind.ARCHIVE, label, archive_units=units, archive_copies=copies)

    @classmethod
    def text(cls, label: str, purpose: Purpose | None = None) -> RecipientEntry:
        return cls(EntryKind.TEXT, clean_line(label), purpose)

    @property
    def line(self) -> str:
        """The entry as printed, without bullet and final punctuation."""
        if self.kind is EntryKind.ARCHIVE:
            return self.label
        purpose = self.purpose_text or (self.purpose.label if self.purpose else None)
        return f"{self.label} ({purpose})" if purpose else self.label


def _archive_label(units: tuple[str, ...], copies: int | None) -> str:
    body = ", ".join(units)
    if copies is not None:
        body = f"{body} ({copies:02d}b)" if body else f"({copies:02d}b)"
    return f"Lưu: {body}" if body else "Lưu"


@dataclass(frozen=True)
class RecipientBlock:
    """The whole "Nơi nhận" block, in order."""

    entries: tuple[RecipientEntry, ...]

    @property
    def archive(self) -> RecipientEntry | None:
        return next((e for e in self.entries if e.kind is EntryKind.ARCHIVE), None)

    @property
    def agency_codes(self) -> tuple[str, ...]:
        return tuple(e.agency_code for e in self.entries if e.agency_code)

    def format(self, heading: str = "Nơi nhận:") -> str:
        return format_recipients(self, heading=heading)


_HEADING = re.compile(r"^(noi nhan|kinh gui)\s*:?\s*", re.IGNORECASE)
_BULLET = re.compile(r"^\s*(?:[-–—•+*]\s*)+")
_TRAILING_PURPOSE = re.compile(r"\s*(?:\(([^()]*)\)|[\"“]([^\"“”]*)[\"”])\s*$")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_CODE_IN_BRACKETS = re.compile(r"[(\[]\s*([0-9A-Z.]{3,35})\s*[)\]]")
# "Lưu: VT, TH" or, in older documents, "Lưu VT, TH"; not "Lưu trữ lịch sử tỉnh", which is a recipient.
_ARCHIVE = re.compile(r"^lưu\s*:\s*|^lưu\s+(?=VT\b)", re.IGNORECASE)
_COPIES = re.compile(r"\(?\s*(\d{1,3})\s*b(?:ản)?\s*\)?$", re.IGNORECASE)
_AS_ABOVE = re.compile(r"^nhu (tren|dieu\b.*|khoan\b.*)$")


def _strip_markup(line: str) -> str:
    return clean_line(line.replace("*", " ").replace("#", " ").replace("<br>", " ").replace("\\", " "))


def parse_entry(line: str) -> RecipientEntry:
    """Read one recipient line (bullet and final ``;`` or ``.`` optional)."""
    text = _BULLET.sub("", _strip_markup(line)).rstrip(";.,").strip()
    if _ARCHIVE.match(text):
        return _parse_archive(_ARCHIVE.sub("", text, count=1))
    purpose: Purpose | None = None
    purpose_text: str | None = None
    match = _TRAILING_PURPOSE.search(text)
    if match is not None:
        inner = clean_line(match.group(1) if match.group(1) is not None else match.group(2))
        found = parse_purpose(inner)
        if found is not None:
            purpose, purpose_text = found, inner
            text = text[: match.start()].strip()
    email_match = _EMAIL.search(text)
    email = email_match.group(0) if email_match else None
    code = _find_code(text)
    folded = fold_key(text)
    if _AS_ABOVE.match(folded):
        kind = EntryKind.AS_ABOVE
    elif code is not None:
        kind = EntryKind.AGENCY
    elif folded.startswith("cac ") or " cac " in f" {folded} " or folded.startswith("toan the "):
        kind = EntryKind.GROUP
    else:
        kind = EntryKind.TEXT
    return RecipientEntry(kind, text, purpose, purpose_text, code, None, email)


def _find_code(text: str) -> str | None:
    for found in re.finditer(r"[0-9A-Z.]{3,35}", text):
        if QCVN102_RE.match(found.group(0)):
            return found.group(0)
    for match in _CODE_IN_BRACKETS.finditer(text):
        if is_agency_code(match.group(1)):
            return match.group(1)
    return None


def _parse_archive(rest: str) -> RecipientEntry:
    units = [clean_line(u) for u in rest.split(",")]
    units = [u for u in units if u]
    copies: int | None = None
    if units:
        match = _COPIES.search(units[-1])
        if match is not None and (units[-1].startswith("(") or match.start() > 0 or len(units) > 1):
            copies = int(match.group(1))
            last = units[-1][: match.start()].strip()
            units = [*units[:-1], last] if last else units[:-1]
    label = f"Lưu: {rest}" if rest else "Lưu"
    return RecipientEntry(
        EntryKind.ARCHIVE, clean_line(label), archive_units=tuple(units), archive_copies=copies
    )


def parse_recipients(text: str) -> RecipientBlock:
    """Read a "Nơi nhận" (or "Kính gửi") block; the heading is optional, blank lines are skipped.

    A line without a bullet continues the previous entry when that entry did not end with ``;`` or ``.``.
    """
    pending: list[str] = []
    ended = True
    for raw in text.splitlines():
        line = _strip_markup(raw)
        if not line:
            continue
        if not pending and _HEADING.match(fold_key(line)):
            # "Kính gửi: Sở Tài chính" carries its first entry on the heading line.
            line = line.split(":", 1)[1].strip() if ":" in line else ""
            if not line:
                continue
        has_bullet = bool(_BULLET.match(line))
        if pending and not has_bullet and not ended:
            pending[-1] = f"{pending[-1]} {line}"
        else:
            pending.append(line)
        ended = line.rstrip().endswith((";", "."))
    return RecipientBlock(tuple(parse_entry(p) for p in pending))


def extract_recipient_block(document: str) -> str | None:
    """Return the lines of the "Nơi nhận" block found in a document's text, or None.

    The block ends at the first blank line after an entry ending with ``.``, or at the first line that is not
    a recipient (the signer's authority, in the right-hand column of the layout).
    """
    lines = document.splitlines()
    start = next((i for i, x in enumerate(lines) if fold_key(_strip_markup(x)).startswith("noi nhan")), None)
    if start is None:
        return None
    taken = [_strip_markup(lines[start])]
    for raw in lines[start + 1 :]:
        line = _strip_markup(raw)
        if not line:
            if taken[-1].endswith(".") and len(taken) > 1:
                break
            continue
        if not _BULLET.match(line) and taken[-1].endswith((";", ".", ":")):
            break
        taken.append(line)
    return "\n".join(taken)


def format_recipients(block: RecipientBlock, *, heading: str = "Nơi nhận:") -> str:
    """Print the block: one ``- entry;`` per line, the last one (normally ``Lưu: …``) ending with ``.``."""
    rows = [heading] if heading else []
    for i, entry in enumerate(block.entries):
        end = "." if i == len(block.entries) - 1 else ";"
        rows.append(f"- {entry.line}{end}")
    return "\n".join(rows)
