"""Secrecy and urgency levels, and the signer's authority prefixes.

* Độ mật (Luật Bảo vệ bí mật nhà nước 29/2018/QH14 Điều 8; NĐ 30/2020 Phụ lục I II.2): Mật, Tối mật, Tuyệt
  mật. Documents carrying state secrets are outside electronic document exchange (QĐ 28/2018/QĐ-TTg does not
  apply to them) and are registered and sent under the state-secret law (NĐ 30/2020 Điều 16.3, 18.2, 22.4):
  they are never sent through this system nor by ordinary e-mail.
* Độ khẩn (NĐ 30/2020 Điều 4.2.c): Khẩn, Thượng khẩn, Hỏa tốc — registered, presented and sent at once. edXML
  ``OtherInfo/Priority`` (QCVN 102:2016 practice): 0 thường, 1 khẩn, 2 thượng khẩn, 3 hỏa tốc; 4 "hỏa tốc hẹn
  giờ" is a legacy level still accepted on input.
* Authority prefixes (NĐ 30/2020 Phụ lục I I.7; Điều 13): TM. (on behalf of a collective), Q. (acting), KT.
  (deputy signing for the head), TL. (by order), TUQ. (by delegation). They go into edXML
  ``SignerInfo/Competence``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum, IntEnum

from congvu.clerical.textkey import clean_line, fold_key
from congvu.errors import InvalidInput, PermissionDenied


class SecrecyLevel(IntEnum):
    """Độ mật; NONE for an ordinary document."""

    NONE = 0
    MAT = 1
    TOI_MAT = 2
    TUYET_MAT = 3

    @property
    def label(self) -> str:
        return ("Thường", "Mật", "Tối mật", "Tuyệt mật")[self.value]

    @property
    def label_en(self) -> str:
        return ("Ordinary", "Confidential", "Secret", "Top secret")[self.value]


_SECRECY_WORDS = {
    "": SecrecyLevel.NONE,
    "thuong": SecrecyLevel.NONE,
    "khong mat": SecrecyLevel.NONE,
    "binh thuong": SecrecyLevel.NONE,
    "mat": SecrecyLevel.MAT,
    "toi mat": SecrecyLevel.TOI_MAT,
    "tuyet mat": SecrecyLevel.TUYET_MAT,
}

SECRET_REFUSAL_VI = (
    "Văn bản có độ mật ({level}) chứa bí mật nhà nước: không được gửi, nhận qua hệ thống văn bản "
    "điện tử (Quyết định 28/2018/QĐ-TTg không áp dụng đối với văn bản điện tử có nội dung bí mật nhà "
    "nước) và không được gửi bằng thư điện tử thông thường; phải đăng ký và chuyển theo Luật Bảo vệ bí "
    "mật nhà nước số 29/2018/QH14 (Nghị định 30/2020/NĐ-CP Điều 16, 18, 22)."
)
SECRET_REFUSAL_EN = (
    "A document marked {level} carries state secrets: it may not be sent or received through electronic "
    "document exchange (Decision 28/2018/QĐ-TTg excludes state secrets) nor by ordinary e-mail; it must "
    "be registered and carried under the Law on Protection of State Secrets 29/2018/QH14."
)


def parse_secrecy(text: str | None) -> SecrecyLevel:
    """Read a secrecy mark (``MẬT``, ``Tối mật``, ``tuyet mat``…); empty or None means not secret."""
    key = fold_key(text or "")
    level = _SECRECY_WORDS.get(key)
    if level is None:
        raise InvalidInput(
            f"Không nhận ra độ mật '{clean_line(text or '')}' (Mật, Tối mật, Tuyệt mật)",
            message_en=f"Unknown secrecy level '{text}'",
            field="secrecy",
        )
    return level


def is_secret(level: SecrecyLevel | str | None) -> bool:
    """True when the document carries a state-secret mark."""
    value = level if isinstance(level, SecrecyLevel) else parse_secrecy(level)
    return value is not SecrecyLevel.NONE


def refuse_if_secret(level: SecrecyLevel | str | None) -> None:
    """Raise PermissionDenied, explaining the rule, when a secret document is about to be sent."""
    value = level if isinstance(level, SecrecyLevel) else parse_secrecy(level)
    if value is not SecrecyLevel.NONE:
        raise PermissionDenied(
            SECRET_REFUSAL_VI.format(level=value.label),
            message_en=SECRET_REFUSAL_EN.format(level=value.label_en),
            field="secrecy",
        )


class UrgencyLevel(IntEnum):
    """Độ khẩn; the value is the edXML ``OtherInfo/Priority``."""

    THUONG = 0
    KHAN = 1
    THUONG_KHAN = 2
    HOA_TOC = 3
    HOA_TOC_HEN_GIO = 4

    @property
    def label(self) -> str:
        return ("Thường", "Khẩn", "Thượng khẩn", "Hỏa tốc", "Hỏa tốc hẹn giờ")[self.value]

    @property
    def label_en(self) -> str:
        return ("Normal", "Urgent", "Very urgent", "Flash", "Flash, timed")[self.value]

    @property
    def edxml_priority(self) -> int:
        return int(self.value)

    @property
    def is_urgent(self) -> bool:
        """Urgent documents are registered, presented, sent and handled at once (NĐ 30/2020 Điều 4.2.c)."""
        return self is not UrgencyLevel.THUONG


# Keys are folded, so "Hỏa tốc", "Hoả tốc" and "HOẢ TỐC" all match.
_URGENCY_WORDS = {
    "": UrgencyLevel.THUONG,
    "thuong": UrgencyLevel.THUONG,
    "binh thuong": UrgencyLevel.THUONG,
    "khan": UrgencyLevel.KHAN,
    "thuong khan": UrgencyLevel.THUONG_KHAN,
    "hoa toc": UrgencyLevel.HOA_TOC,
    "hoa toc hen gio": UrgencyLevel.HOA_TOC_HEN_GIO,
}


def parse_urgency(text: str | None) -> UrgencyLevel:
    """Read an urgency mark, whatever its case and tone placement; empty or None means ordinary."""
    level = _URGENCY_WORDS.get(fold_key(text or ""))
    if level is None:
        raise InvalidInput(
            f"Không nhận ra độ khẩn '{clean_line(text or '')}' (Khẩn, Thượng khẩn, Hỏa tốc)",
            message_en=f"Unknown urgency level '{text}'",
            field="urgency",
        )
    return level


def urgency_from_priority(priority: int | str) -> UrgencyLevel:
    """Map an edXML Priority (0–4) to the urgency level."""
    try:
        return UrgencyLevel(int(str(priority).strip()))
    except ValueError:
        raise InvalidInput(
            f"Priority '{priority}' không hợp lệ: chỉ nhận 0–4",
            field="priority",
            message_en=f"Invalid Priority '{priority}': expected 0-4",
        ) from None


class Authority(Enum):
    """The authority prefix written before the signer's title."""

    TM = "TM."
    Q = "Q."
    KT = "KT."
    TL = "TL."
    TUQ = "TUQ."

    @property
    def meaning(self) -> str:
        return {
            "TM.": "Thay mặt",
            "Q.": "Quyền",
            "KT.": "Ký thay",
            "TL.": "Thừa lệnh",
            "TUQ.": "Thừa ủy quyền",
        }[self.value]

    @property
    def meaning_en(self) -> str:
        return {
            "TM.": "On behalf of",
            "Q.": "Acting",
            "KT.": "Signed for",
            "TL.": "By order of",
            "TUQ.": "By delegation of",
        }[self.value]


# Accepted spellings: the official ones with or without a space after the dot, and the slash forms of older
# documents (T/M, K/T, T/L, T/UQ).
_AUTHORITY_RE = re.compile(
    r"^(?P<p>TUQ|TM|KT|TL|Q)\s*\.\s*|^(?P<s>T/M|K/T|T/L|T/UQ|T\.U\.Q)\.?\s+", re.IGNORECASE
)
_AUTHORITY_START = re.compile(r"(?:(?<=\s)|^)(?:(?:TUQ|TM|KT|TL|Q)\s*\.|(?:T/M|K/T|T/L|T/UQ)\s)")
_SLASH_FORMS = {
    "T/M": Authority.TM,
    "K/T": Authority.KT,
    "T/L": Authority.TL,
    "T/UQ": Authority.TUQ,
    "T.U.Q": Authority.TUQ,
}


@dataclass(frozen=True)
class AuthorityLine:
    """One line of a signer block such as ``KT. CHỦ TỊCH``."""

    authority: Authority
    holder: str

    @property
    def text(self) -> str:
        return f"{self.authority.value} {self.holder}"

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class SignerTitle:
    """The signer block above the signature: authority lines, then the signer's own position."""

    authorities: tuple[AuthorityLine, ...]
    position: str

    @property
    def competence(self) -> str:
        """The value of edXML ``SignerInfo/Competence`` (the authority lines joined by a space)."""
        return " ".join(line.text for line in self.authorities)


def parse_authority_line(text: str) -> AuthorityLine | None:
    """Read ``KT. CHỦ TỊCH`` (also ``KT.CHỦ TỊCH``, ``K/T CHỦ TỊCH``); None when the line has no prefix."""
    line = clean_line(text.replace("*", ""))
    match = _AUTHORITY_RE.match(line)
    if match is None:
        return None
    if match.group("p"):
        authority = Authority(match.group("p").upper() + ".")
    else:
        authority = _SLASH_FORMS[match.group("s").upper()]
    holder = line[match.end() :].strip()
    if not holder:
        return None
    return AuthorityLine(authority, holder)


def parse_competence(text: str) -> tuple[AuthorityLine, ...]:
    """Read every authority prefix of a Competence string or block (``TM. ỦY BAN NHÂN DÂN KT. CHỦ TỊCH``)."""
    flat = clean_line(text.replace("*", "").replace("\n", " "))
    starts = [m.start() for m in _AUTHORITY_START.finditer(flat)]
    lines: list[AuthorityLine] = []
    for i, start in enumerate(starts):
        end = starts[i + 1] if i + 1 < len(starts) else len(flat)
        parsed = parse_authority_line(flat[start:end])
        if parsed is not None:
            lines.append(parsed)
    return tuple(lines)


def parse_signer_block(text: str) -> SignerTitle:
    """Read a signer block: lines with an authority prefix, then the position (``PHÓ CHỦ TỊCH``).

    A block without a prefix is a head signing in their own name: no authority, the first line is the
    position.
    """
    lines = [clean_line(x.replace("*", "")) for x in text.splitlines()]
    lines = [x for x in lines if x]
    authorities: list[AuthorityLine] = []
    position = ""
    for line in lines:
        parsed = parse_authority_line(line)
        if parsed is not None and not position:
            authorities.append(parsed)
            continue
        position = line
        break
    return SignerTitle(tuple(authorities), position)


def format_signer_block(title: SignerTitle) -> str:
    """Print the block as NĐ 30 shows it: one authority per line, then the position, all in capitals."""
    rows = [f"{a.authority.value} {a.holder.upper()}" for a in title.authorities]
    rows.append(title.position.upper())
    return "\n".join(rows)
