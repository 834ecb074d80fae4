"""Administrative document types and copy forms of Decree 30/2020/NĐ-CP.

NĐ 30/2020 Điều 7 lists the 29 administrative document types; Phụ lục III gives the abbreviation each one
carries in its ký hiệu, and the abbreviations of the three copy forms (sao y, trích sao, sao lục). Công văn
and thư công have no abbreviation. Abbreviations keep their official spelling, mixed case and ``Đ`` included
(``QyĐ``, ``CTr``, ``TTr``, ``TrS``), and are compared case-sensitively unless the caller asks otherwise.

Each type also has a stable machine code (``quyet_dinh``, ``cong_van``…) used in storage and APIs, and, where
the exchange practice fixes one, the integer sent in edXML ``DocumentType/Type`` (QCVN 102:2016; the samples
of the national platform send ``1`` with ``TypeName`` "Công văn"; the other values are disputed and left
unset).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from congvu.clerical.textkey import clean_line, fold_key
from congvu.errors import NotFound


class TypeCategory(StrEnum):
    """Whether a record is an administrative document type or a form of copy."""

    ADMINISTRATIVE = "administrative"
    COPY = "copy"


@dataclass(frozen=True)
class DocumentType:
    """One administrative document type or copy form.

    ``legacy_abbreviations`` are the spellings of Thông tư 01/2011/TT-BNV that NĐ 30/2020 replaced; they are
    recognised on input only.
    """

    code: str
    name: str
    name_en: str
    abbreviation: str | None
    category: TypeCategory = TypeCategory.ADMINISTRATIVE
    aliases: tuple[str, ...] = ()
    legacy_abbreviations: tuple[str, ...] = ()
    edxml_type: int | None = None

    @property
    def has_abbreviation(self) -> bool:
        return self.abbreviation is not None

    @property
    def is_copy(self) -> bool:
        return self.category is TypeCategory.COPY


def _t(
    code: str,
    name: str,
    name_en: str,
    abbr: str | None,
    *aliases: str,
    legacy: tuple[str, ...] = (),
    edxml_type: int | None = None,
) -> DocumentType:
    return DocumentType(code, name, name_en, abbr, TypeCategory.ADMINISTRATIVE, aliases, legacy, edxml_type)


# NĐ 30/2020 Điều 7 (order of the article) and Phụ lục III (abbreviations).
ADMINISTRATIVE_TYPES: tuple[DocumentType, ...] = (
    _t("nghi_quyet", "Nghị quyết", "Resolution", "NQ", "Nghị quyết (cá biệt)"),
    _t("quyet_dinh", "Quyết định", "Decision", "QĐ", "Quyết định (cá biệt)"),
    _t("chi_thi", "Chỉ thị", "Directive", "CT"),
    _t("quy_che", "Quy chế", "Regulation", "QC"),
    _t("quy_dinh", "Quy định", "Rules", "QyĐ"),
    _t("thong_cao", "Thông cáo", "Communiqué", "TC"),
    _t("thong_bao", "Thông báo", "Notice", "TB"),
    _t("huong_dan", "Hướng dẫn", "Guidance", "HD"),
    _t("chuong_trinh", "Chương trình", "Programme", "CTr"),
    _t("ke_hoach", "Kế hoạch", "Plan", "KH"),
    _t("phuong_an", "Phương án", "Option plan", "PA"),
    _t("de_an", "Đề án", "Scheme", "ĐA"),
    _t("du_an", "Dự án", "Project", "DA"),
    _t("bao_cao", "Báo cáo", "Report", "BC"),
    _t("bien_ban", "Biên bản", "Minutes", "BB"),
    _t("to_trinh", "Tờ trình", "Submission", "TTr"),
    _t("hop_dong", "Hợp đồng", "Contract", "HĐ"),
    _t("cong_van", "Công văn", "Official letter", None, edxml_type=1),
    _t("cong_dien", "Công điện", "Official telegram", "CĐ"),
    _t("ban_ghi_nho", "Bản ghi nhớ", "Memorandum of understanding", "BGN", legacy=("GN",)),
    _t("ban_thoa_thuan", "Bản thỏa thuận", "Agreement", "BTT", legacy=("TTh",)),
    _t("giay_uy_quyen", "Giấy ủy quyền", "Power of attorney", "GUQ", legacy=("UQ",)),
    _t("giay_moi", "Giấy mời", "Invitation", "GM"),
    _t("giay_gioi_thieu", "Giấy giới thiệu", "Letter of introduction", "GGT"),
    _t("giay_nghi_phep", "Giấy nghỉ phép", "Leave permit", "GNP", legacy=("NP",)),
    _t("phieu_gui", "Phiếu gửi", "Dispatch slip", "PG"),
    _t("phieu_chuyen", "Phiếu chuyển", "Transfer slip", "PC"),
    _t("phieu_bao", "Phiếu báo", "Notification slip", "PB"),
    _t("thu_cong", "Thư công", "Public letter", None),
)

# NĐ 30/2020 Điều 25 (forms of copy) and Phụ lục III (abbreviations).
COPY_FORMS: tuple[DocumentType, ...] = (
    DocumentType(
        "ban_sao_y", "Bản sao y", "True copy", "SY", TypeCategory.COPY, ("Sao y", "Sao y bản chính")
    ),
    DocumentType("ban_trich_sao", "Bản trích sao", "Extract copy", "TrS", TypeCategory.COPY, ("Trích sao",)),
    DocumentType("ban_sao_luc", "Bản sao lục", "Re-copy", "SL", TypeCategory.COPY, ("Sao lục",)),
)

ALL_TYPES: tuple[DocumentType, ...] = ADMINISTRATIVE_TYPES + COPY_FORMS

_BY_CODE = {t.code: t for t in ALL_TYPES}
_BY_ABBR = {t.abbreviation: t for t in ALL_TYPES if t.abbreviation}
_BY_ABBR_UPPER = {t.abbreviation.upper(): t for t in ALL_TYPES if t.abbreviation}
_BY_LEGACY_UPPER = {a.upper(): t for t in ALL_TYPES for a in t.legacy_abbreviations}
_BY_NAME = {fold_key(n): t for t in ALL_TYPES for n in (t.name, *t.aliases)}


def type_by_code(code: str) -> DocumentType:
    """Return the type whose machine code is ``code`` (``quyet_dinh``); raise NotFound otherwise."""
    found = _BY_CODE.get(code.strip().lower())
    if found is None:
        raise NotFound(
            f"Không có loại văn bản mã '{code}'",
            message_en=f"No document type with code '{code}'",
            field="doc_type",
        )
    return found


def type_by_name(name: str) -> DocumentType:
    """Return the type named ``name``, ignoring case, diacritics and tone placement; raise NotFound otherwise.

    ``"Bản thoả thuận"``, ``"QUYẾT ĐỊNH"`` and ``"Nghị quyết (cá biệt)"`` are all found.
    """
    found = _BY_NAME.get(fold_key(name))
    if found is None:
        raise NotFound(
            f"Không có loại văn bản tên '{clean_line(name)}'",
            message_en=f"No document type named '{name}'",
            field="doc_type",
        )
    return found


def find_by_abbreviation(abbr: str, *, strict: bool = True) -> DocumentType | None:
    """Return the type with abbreviation ``abbr``, or None.

    Strict matching is the official, case-sensitive spelling (Phụ lục III). Lenient matching also accepts the
    all-capitals form (``TTR`` for ``TTr``: ký hiệu are often printed in capitals) and the 2011 spellings
    (``UQ``…). ``Đ`` and ``D`` stay distinct in both modes: ``ĐA`` (đề án) is not ``DA`` (dự án).
    """
    text = clean_line(abbr)
    found = _BY_ABBR.get(text)
    if found is not None or strict:
        return found
    upper = text.upper()
    return _BY_ABBR_UPPER.get(upper) or _BY_LEGACY_UPPER.get(upper)


def type_by_abbreviation(abbr: str, *, strict: bool = True) -> DocumentType:
    """Like :func:`find_by_abbreviation` but raise NotFound when nothing matches."""
    found = find_by_abbreviation(abbr, strict=strict)
    if found is None:
        raise NotFound(
            f"'{clean_line(abbr)}' không phải chữ viết tắt tên loại văn bản (NĐ 30/2020 Phụ lục III)",
            message_en=f"'{abbr}' is not a document type abbreviation",
            field="doc_type",
        )
    return found


def resolve_type(value: DocumentType | str) -> DocumentType:
    """Return the type given as a record, a machine code, an official abbreviation or a Vietnamese name."""
    if isinstance(value, DocumentType):
        return value
    for lookup in (
        _BY_CODE.get(value.strip().lower()),
        _BY_ABBR.get(clean_line(value)),
        _BY_NAME.get(fold_key(value)),
    ):
        if lookup is not None:
            return lookup
    raise NotFound(
        f"Không nhận ra loại văn bản '{clean_line(value)}'",
        message_en=f"Unknown document type '{value}'",
        field="doc_type",
    )
