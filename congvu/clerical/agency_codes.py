"""Agency identifier codes (mã định danh) in their two forms.

* QCVN 102:2016/BTTTT (Thông tư 10/2016/TT-BTTTT), still used on the wire by the national platform:
  ``V1V2V3.Z1Z2.Y1Y2.MX1X2``, 13 characters, read right to left. ``MX1X2`` is level 1 (a letter A–Y and two
  digits: ``H53`` = UBND tỉnh Tây Ninh), ``Y1Y2`` level 2, ``Z1Z2`` level 3, ``V1V2V3`` level 4; zeros mean
  "level not used" (``000.00.11.H53`` = a level-2 body of H53).
* Quyết định 20/2020/QĐ-TTg: at most 35 characters from ``.``, ``0–9`` and upper-case ``A–Z``, groups
  separated by dots and read left to right; the first group is the level-1 code (``H37.DN.001``).

Neither form says which agency a code names: the directory is synchronised from the platform, which gives both
(``code`` and ``code102``). Level-1 letters are listed in :data:`LEVEL1_CLASSES` as reported in summaries of
QĐ 20/2020; the H/K numbers changed with the 2025 merger of provinces and are never hard-coded here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from congvu.clerical.textkey import clean_text
from congvu.errors import InvalidInput

CodeForm = Literal["qcvn102", "qd20"]

QCVN102_RE = re.compile(r"^\d{3}\.\d{2}\.\d{2}\.[A-Y]\d{2}$")
QD20_RE = re.compile(r"^[A-Y]\d{2}(\.[0-9A-Z]+)*$")
QD20_MAX_LENGTH = 35

LEVEL1_CLASSES: dict[str, str] = {
    "A": "Cơ quan của Đảng",
    "B": "Văn phòng Chủ tịch nước",
    "C": "Cơ quan của Quốc hội",
    "D": "Tòa án nhân dân tối cao",
    "E": "Viện kiểm sát nhân dân tối cao",
    "F": "Kiểm toán nhà nước",
    "G": "Bộ, cơ quan ngang bộ, cơ quan thuộc Chính phủ",
    "H": "Ủy ban nhân dân cấp tỉnh",
    "I": "Tổ chức chính trị - xã hội ở trung ương",
    "J": "Tổ chức xã hội, xã hội - nghề nghiệp ở trung ương",
    "K": "Hội đồng nhân dân cấp tỉnh",
}


@dataclass(frozen=True)
class AgencyCode:
    """A parsed agency code.

    ``levels`` lists every level group from level 1 outwards, as written (zeros included for the old form);
    ``depth`` is the number of levels in use; ``groups`` the used levels below level 1.
    """

    text: str
    form: CodeForm
    level1: str
    levels: tuple[str, ...]
    depth: int

    @property
    def groups(self) -> tuple[str, ...]:
        return self.levels[1 : self.depth]

    @property
    def used_levels(self) -> tuple[str, ...]:
        return self.levels[: self.depth]

    @property
    def level1_class(self) -> str | None:
        """What kind of body the level-1 letter stands for, when the summary of QĐ 20/2020 lists it."""
        return LEVEL1_CLASSES.get(self.level1[0])

    def __str__(self) -> str:
        return self.text


def _reason(text: str) -> tuple[str, str]:
    if not text:
        return "mã rỗng", "empty code"
    if text != text.upper():
        return "chỉ dùng chữ in hoa", "upper-case letters only"
    if re.search(r"[^0-9A-Z.]", text):
        return "chỉ gồm chữ A–Z, chữ số và dấu chấm", "only A-Z, digits and dots are allowed"
    if len(text) > QD20_MAX_LENGTH:
        return f"dài quá {QD20_MAX_LENGTH} ký tự", f"longer than {QD20_MAX_LENGTH} characters"
    level1 = text.split(".")[-1] if re.match(r"^\d", text) else text.split(".")[0]
    if not re.match(r"^[A-Z]\d{2}$", level1):
        return (
            "mã cấp 1 phải là một chữ cái và hai chữ số (ví dụ H53)",
            "the level-1 group must be a letter and two digits (e.g. H53)",
        )
    if level1[0] == "Z":
        return "chữ cái cấp 1 phải trong khoảng A–Y", "the level-1 letter must be A-Y"
    if "" in text.split("."):
        return "có nhóm rỗng giữa hai dấu chấm", "empty group between dots"
    return (
        "không đúng dạng QCVN 102 (000.00.00.H53) hay QĐ 20/2020 (H53.xx)",
        "neither the QCVN 102 form (000.00.00.H53) nor the QĐ 20/2020 form (H53.xx)",
    )


def parse_agency_code(text: str) -> AgencyCode:
    """Parse a code exactly as written (surrounding spaces aside); lower case is refused, as the rules say."""
    code = clean_text(text).strip()
    if QCVN102_RE.match(code):
        v, z, y, m = code.split(".")
        levels = (m, y, z, v)
        depth = 1
        for i, group in enumerate(levels[1:], start=2):
            if int(group) != 0:
                depth = i
        return AgencyCode(code, "qcvn102", m, levels, depth)
    if len(code) <= QD20_MAX_LENGTH and QD20_RE.match(code):
        groups = tuple(code.split("."))
        return AgencyCode(code, "qd20", groups[0], groups, len(groups))
    reason, reason_en = _reason(code)
    raise InvalidInput(
        f"Mã định danh '{code}' không hợp lệ: {reason}",
        message_en=f"Invalid agency code '{code}': {reason_en}",
        field="agency_code",
    )


def validate_agency_code(text: str) -> str:
    """Return the code stripped and upper-cased when valid in either form; raise InvalidInput otherwise."""
    return parse_agency_code(clean_text(text).strip().upper()).text


def is_agency_code(text: str) -> bool:
    """True when ``text`` is a valid code as written."""
    try:
        parse_agency_code(text)
    except InvalidInput:
        return False
    return True


def parent_code(text: str) -> str | None:
    """The code of the level above, in the same form; None for a level-1 code."""
    code = parse_agency_code(text)
    if code.depth == 1:
        return None
    if code.form == "qd20":
        return ".".join(code.levels[: code.depth - 1])
    levels = list(code.levels)
    levels[code.depth - 1] = "0" * len(levels[code.depth - 1])
    m, y, z, v = levels
    return f"{v}.{z}.{y}.{m}"


def is_descendant_code(child: str, parent: str, *, include_self: bool = False) -> bool:
    """True when ``child`` sits under ``parent`` in the code tree.

    Only codes of the same form can be compared: an old-form code and a new-form one may name related
    agencies, but only the directory knows, so the answer is False.
    """
    c, p = parse_agency_code(child), parse_agency_code(parent)
    if c.form != p.form:
        return False
    if c.used_levels == p.used_levels:
        return include_self
    return c.depth > p.depth and c.used_levels[: p.depth] == p.used_levels
