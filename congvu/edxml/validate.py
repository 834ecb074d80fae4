"""Structural checks of edXML packages before they are sent (and on request after they are read).

The reader is liberal so that nothing addressed to the province is lost; these checks are what our own
packages must satisfy. Sources: QCVN 102:2016/BTTTT as implemented by the national platform (required parts,
formats, code lists), NĐ 30/2020/NĐ-CP Phụ lục VI (field lengths: Subject 500, OrganName 200, TypeName 100,
Position 100, FullName 50, CodeNumber 11, CodeNotation 30, Description 500), Phụ lục I I.3 (số < 10 padded),
QĐ 20/2020 and QCVN 102 (agency codes).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from congvu.clerical.agency_codes import is_agency_code
from congvu.clerical.numbering import parse_document_id
from congvu.clerical.status_codes import find_status_code
from congvu.edxml.errors import EdxmlError
from congvu.edxml.model import BusinessDocType, EdocPackage, MessageHeader, Organization, StatusPackage
from congvu.errors import InvalidInput

_NOTATION_RE = re.compile(r"^[^\W_]+(?:-[^\W_]+)*$")


@dataclass(frozen=True)
class Problem:
    """One fault: where (an element path) and what, in Vietnamese and English."""

    path: str
    message: str
    message_en: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class _Collector:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, path: str, message: str, message_en: str) -> None:
        self.problems.append(Problem(path, message, message_en))

    def length(self, path: str, value: str, limit: int, *, required: bool = False) -> None:
        if required and not value:
            self.add(path, "bắt buộc, không được để trống", "required")
        elif len(value) > limit:
            self.add(
                path, f"dài {len(value)} ký tự, tối đa {limit}", f"{len(value)} characters, at most {limit}"
            )

    def agency(self, path: str, code: str) -> None:
        if not is_agency_code(code):
            self.add(path, f"mã định danh '{code}' không hợp lệ", f"invalid agency code '{code}'")

    def document_id(self, path: str, value: str) -> None:
        try:
            parse_document_id(value)
        except InvalidInput:
            self.add(path, f"DocumentId '{value}' không đúng dạng", f"malformed DocumentId '{value}'")

    def within(self, path: str, value: int, low: int, high: int) -> None:
        if not low <= value <= high:
            self.add(path, f"giá trị {value} ngoài khoảng {low}–{high}", f"{value} outside {low}-{high}")


def _organization(c: _Collector, path: str, org: Organization) -> None:
    c.agency(f"{path}/OrganId", org.organ_id)
    c.length(f"{path}/OrganName", org.organ_name, 200)


def _header(c: _Collector, h: MessageHeader) -> None:
    _organization(c, "MessageHeader/From", h.sender)
    if not h.to:
        c.add("MessageHeader/To", "phải có ít nhất một nơi nhận", "at least one recipient is required")
    seen: set[str] = set()
    for i, org in enumerate(h.to, start=1):
        _organization(c, f"MessageHeader/To[{i}]", org)
        if org.organ_id in seen:
            c.add(f"MessageHeader/To[{i}]", f"nơi nhận {org.organ_id} bị lặp", f"duplicate {org.organ_id}")
        seen.add(org.organ_id)
    number, notation = h.code.code_number, h.code.code_notation
    c.length("MessageHeader/Code/CodeNumber", number, 11, required=True)
    if number and (not number.isdigit() or int(number) < 1 or f"{int(number):02d}" != number):
        c.add(
            "MessageHeader/Code/CodeNumber",
            f"số '{number}' phải là số nguyên dương, dưới 10 viết 01–09",
            f"number '{number}' must be a positive integer written 01-09 below 10",
        )
    c.length("MessageHeader/Code/CodeNotation", notation, 30, required=True)
    if notation and not _NOTATION_RE.match(notation):
        c.add(
            "MessageHeader/Code/CodeNotation",
            f"ký hiệu '{notation}' chỉ gồm các nhóm nối bằng '-'",
            f"notation '{notation}' must be groups joined by '-', without '/' or spaces",
        )
    day = h.promulgation_info.promulgation_date.strftime("%Y/%m/%d")
    expected = f"{h.sender.organ_id},{day},{number}/{notation}"
    if h.document_id != expected:
        c.add(
            "MessageHeader/DocumentId",
            f"phải là '{expected}' (From, ngày ban hành, số/ký hiệu)",
            f"must be '{expected}'",
        )
    c.length("MessageHeader/DocumentType/TypeName", h.document_type.type_name, 100, required=True)
    c.length("MessageHeader/Subject", h.subject, 500, required=True)
    c.length("MessageHeader/SignerInfo/Position", h.signer_info.position, 100)
    c.length("MessageHeader/SignerInfo/FullName", h.signer_info.full_name, 50)
    if h.due_date is not None and h.due_date < h.promulgation_info.promulgation_date:
        c.add("MessageHeader/DueDate", "hạn xử lý trước ngày ban hành", "due date before promulgation date")
    c.within("MessageHeader/OtherInfo/Priority", h.other_info.priority, 0, 4)
    c.within("MessageHeader/OtherInfo/PromulgationAmount", h.other_info.promulgation_amount, 0, 999)
    c.within("MessageHeader/OtherInfo/PageAmount", h.other_info.page_amount, 0, 999)
    c.within("MessageHeader/SteeringType", h.steering_type, 0, 3)
    for i, response in enumerate(h.response_for, start=1):
        c.document_id(f"MessageHeader/ResponseFor[{i}]/DocumentId", response.document_id)


def validate_edoc(pkg: EdocPackage) -> list[Problem]:
    """The faults of a document package; an empty list when it may be sent."""
    c = _Collector()
    _header(c, pkg.header)
    if not pkg.traces:
        c.add(
            "TraceHeaderList/TraceHeader",
            "thiếu TraceHeader của cơ quan gửi",
            "the sender's TraceHeader is missing",
        )
    for i, trace in enumerate(pkg.traces, start=1):
        c.agency(f"TraceHeaderList/TraceHeader[{i}]/OrganId", trace.organ_id)
    business = pkg.business
    if business is not None and business.doc_type is not BusinessDocType.NEW:
        c.document_id("Bussiness/DocumentId", business.document_id)
        if business.doc_type is BusinessDocType.UPDATE:
            for i, receiver in enumerate(business.receivers, start=1):
                c.agency(f"Bussiness/ReceiverList/Receiver[{i}]/OrganId", receiver.organ_id)
                c.within(f"Bussiness/ReceiverList/Receiver[{i}]/ReceiverType", receiver.receiver_type, 0, 1)
        if business.doc_type is BusinessDocType.REPLACE:
            if not business.replacements:
                c.add(
                    "Bussiness/ReplacementInfoList",
                    "văn bản thay thế phải nêu văn bản bị thay thế",
                    "a replacement must name the replaced document",
                )
            for i, item in enumerate(business.replacements, start=1):
                c.document_id(
                    f"Bussiness/ReplacementInfoList/ReplacementInfo[{i}]/DocumentId", item.document_id
                )
    ids: set[str] = set()
    for i, attachment in enumerate(pkg.attachments, start=1):
        path = f"AttachmentEncoded/Attachment[{i}]"
        key = attachment.content_id.removeprefix("cid:")
        if not key:
            c.add(f"{path}/ContentId", "thiếu ContentId", "ContentId is missing")
        elif key in ids:
            c.add(f"{path}/ContentId", f"ContentId '{attachment.content_id}' bị lặp", "duplicate ContentId")
        ids.add(key)
        c.length(f"{path}/AttachmentName", attachment.name, 255, required=True)
    return c.problems


def validate_status(pkg: StatusPackage) -> list[Problem]:
    """The faults of a status package."""
    c = _Collector()
    response = pkg.response_for
    c.document_id("MessageHeader/ResponseFor/DocumentId", response.document_id)
    try:
        key = parse_document_id(response.document_id)
    except InvalidInput:
        key = None
    if key is not None and response.organ_id and response.organ_id != key.organ_id:
        c.add(
            "MessageHeader/ResponseFor/OrganId",
            "khác cơ quan trong DocumentId",
            "differs from the DocumentId",
        )
    if key is not None and response.code and response.code != key.code:
        c.add(
            "MessageHeader/ResponseFor/Code",
            "khác số/ký hiệu trong DocumentId",
            "differs from the DocumentId",
        )
    _organization(c, "MessageHeader/From", pkg.sender)
    if find_status_code(pkg.status_code) is None:
        c.add(
            "MessageHeader/StatusCode",
            f"mã trạng thái {pkg.status_code} không có trong danh mục",
            f"unknown status code {pkg.status_code}",
        )
    c.length("MessageHeader/Description", pkg.description, 500)
    return c.problems


def validate_package(pkg: EdocPackage | StatusPackage) -> list[Problem]:
    return validate_edoc(pkg) if isinstance(pkg, EdocPackage) else validate_status(pkg)


def ensure_valid(pkg: EdocPackage | StatusPackage) -> None:
    """Raise EdxmlError listing every fault, naming the first element at fault."""
    problems = validate_package(pkg)
    if problems:
        raise EdxmlError(
            "Gói tin edXML không hợp lệ: " + "; ".join(str(p) for p in problems),
            message_en="Invalid edXML package: " + "; ".join(f"{p.path}: {p.message_en}" for p in problems),
            element=problems[0].path,
        )
