"""Reading edXML packages (QCVN 102:2016/BTTTT) into the model.

Safe: loading is done by :mod:`congvu.edxml.elements` (size limit, no entities, no DTD, no network, DOCTYPE
refused). Liberal, so that no document addressed to the province is lost to a harmless deviation seen in the
wild: elements are matched by namespace URI and local name, whatever the prefix, in any order, unqualified
children accepted; the root may be ``edXML`` or the bare ``edXMLEnvelope``; ``Business`` is read like
``Bussiness`` and a missing block means a new document; ``cid:`` may be missing on one side of the attachment
join; dates may be ``dd/MM/yyyy``; a DocumentId with an impossible date stays a usable key; disputed codes
(Type, SteeringType, Priority 0–4, unknown two-digit status codes) are kept as given. Anything else that
prevents a faithful reading raises :class:`EdxmlError` naming the element.
"""

from __future__ import annotations

import base64
import binascii
import re

from lxml import etree

from congvu.clerical.numbering import parse_document_id
from congvu.clerical.status_codes import normalize_status_code
from congvu.edxml.attachments import unpack
from congvu.edxml.elements import (
    DEFAULT_LIMITS,
    El,
    ParseLimits,
    checked_document_id,
    child,
    children,
    inner_text,
    load_xml,
    parse_date,
    parse_flag,
    parse_int,
    parse_timestamp,
    required_child,
    required_text,
    text,
)
from congvu.edxml.errors import EdxmlError
from congvu.edxml.model import (
    NAMESPACE,
    Attachment,
    Business,
    BusinessDocType,
    Code,
    DocumentType,
    EdocPackage,
    MessageHeader,
    Organization,
    OtherInfo,
    PromulgationInfo,
    Receiver,
    ReplacementInfo,
    ResponseFor,
    SignerInfo,
    StaffInfo,
    StatusPackage,
    TraceHeader,
)
from congvu.errors import InvalidInput

__all__ = ["DEFAULT_LIMITS", "ParseLimits", "parse_package"]


def _organization(element: El, path: str) -> Organization:
    return Organization(
        required_text(element, path, "OrganId"),
        text(element, "OrganizationInCharge"),
        text(element, "OrganName"),
        text(element, "OrganAdd"),
        text(element, "Email"),
        text(element, "Telephone"),
        text(element, "Fax"),
        text(element, "Website"),
    )


def _staff(element: El) -> StaffInfo:
    return StaffInfo(
        text(element, "Department"),
        text(element, "Staff"),
        text(element, "Mobile"),
        text(element, "Email"),
    )


def _response_for(element: El, path: str) -> ResponseFor:
    document_id = checked_document_id(required_text(element, path, "DocumentId"), f"{path}/DocumentId")
    key = parse_document_id(document_id)
    when = parse_date(text(element, "PromulgationDate"), f"{path}/PromulgationDate")
    return ResponseFor(
        text(element, "OrganId") or key.organ_id,
        text(element, "Code") or key.code,
        when if when is not None else key.promulgation_date,
        document_id,
    )


def _other_info(element: El | None) -> OtherInfo:
    p = "MessageHeader/OtherInfo"
    appendixes = tuple(t for a in children(child(element, "Appendixes"), "Appendix") if (t := inner_text(a)))
    return OtherInfo(
        parse_int(text(element, "Priority"), f"{p}/Priority", 0),
        text(element, "SphereOfPromulgation"),
        text(element, "TyperNotation"),
        parse_int(text(element, "PromulgationAmount"), f"{p}/PromulgationAmount", 0),
        parse_int(text(element, "PageAmount"), f"{p}/PageAmount", 0),
        parse_flag(text(element, "Direction")),
        appendixes,
    )


def _message_header(element: El) -> MessageHeader:
    p = "MessageHeader"
    sender = _organization(required_child(element, p, "From"), f"{p}/From")
    to = tuple(_organization(e, f"{p}/To") for e in children(element, "To"))
    if not to:
        raise EdxmlError(
            "Thiếu phần tử bắt buộc MessageHeader/To: gói tin phải có ít nhất một nơi nhận",
            message_en="MessageHeader/To is missing: at least one recipient",
            element=f"{p}/To",
        )
    code_el = required_child(element, p, "Code")
    code = Code(
        required_text(code_el, f"{p}/Code", "CodeNumber"), required_text(code_el, f"{p}/Code", "CodeNotation")
    )
    info_el = required_child(element, p, "PromulgationInfo")
    when = parse_date(
        required_text(info_el, f"{p}/PromulgationInfo", "PromulgationDate"),
        f"{p}/PromulgationInfo/PromulgationDate",
    )
    assert when is not None  # _required refused an empty value
    kind_el = child(element, "DocumentType")
    kind = DocumentType(
        text(kind_el, "TypeName"),
        parse_int(text(kind_el, "Type"), f"{p}/DocumentType/Type", 1),
        parse_int(text(kind_el, "TypeDetail"), f"{p}/DocumentType/TypeDetail", 0),
    )
    signer_el = child(element, "SignerInfo")
    document_id = text(element, "DocumentId")
    return MessageHeader(
        sender=sender,
        to=to,
        code=code,
        promulgation_info=PromulgationInfo(text(info_el, "Place"), when),
        subject=required_text(element, p, "Subject"),
        document_type=kind,
        content=text(element, "Content"),
        signer_info=SignerInfo(
            text(signer_el, "Competence"), text(signer_el, "Position"), text(signer_el, "FullName")
        ),
        due_date=parse_date(text(element, "DueDate"), f"{p}/DueDate"),
        to_places=tuple(t for e in children(child(element, "ToPlaces"), "Place") if (t := inner_text(e))),
        other_info=_other_info(child(element, "OtherInfo")),
        response_for=tuple(_response_for(e, f"{p}/ResponseFor") for e in children(element, "ResponseFor")),
        steering_type=parse_int(text(element, "SteeringType"), f"{p}/SteeringType", 1),
        document_id=checked_document_id(document_id, f"{p}/DocumentId") if document_id else "",
    )


def _business(element: El) -> Business:
    p = "TraceHeaderList/Bussiness"
    raw_type = parse_int(text(element, "BussinessDocType", "BusinessDocType"), f"{p}/BussinessDocType", 0)
    try:
        doc_type = BusinessDocType(raw_type)
    except ValueError:
        raise EdxmlError(
            f"{p}/BussinessDocType: giá trị {raw_type} không có (0 mới, 1 thu hồi, 2 cập nhật, 3 thay thế)",
            message_en=f"{p}/BussinessDocType: unknown value {raw_type}",
            element=f"{p}/BussinessDocType",
        ) from None
    info = child(element, "BussinessDocumentInfo", "BusinessDocumentInfo")
    receivers = tuple(
        Receiver(
            required_text(r, f"{p}/ReceiverList/Receiver", "OrganId"),
            parse_int(text(r, "ReceiverType"), f"{p}/ReceiverList/Receiver/ReceiverType", 1),
        )
        for r in children(child(info, "ReceiverList"), "Receiver")
    )
    replacements = tuple(
        ReplacementInfo(
            text(r, "DocumentId"),
            tuple(t for o in children(child(r, "OrganIdList"), "OrganId") if (t := inner_text(o))),
        )
        for r in children(child(element, "ReplacementInfoList"), "ReplacementInfo")
    )
    return Business(
        doc_type=doc_type,
        document_id=text(element, "DocumentId"),
        reason=text(element, "BussinessDocReason", "BusinessDocReason"),
        paper=parse_flag(text(element, "Paper")),
        staff_info=tuple(_staff(s) for s in children(element, "StaffInfo")),
        content_changed=parse_flag(text(info, "DocumentInfo")),
        receivers_changed=parse_flag(text(info, "DocumentReceiver")),
        receivers=receivers,
        replacements=replacements,
    )


def _cid(value: str) -> str:
    return re.sub(r"^cid:", "", value.strip().strip("<>"), flags=re.IGNORECASE)


def _attachments(root: El, envelope: El, limits: ParseLimits) -> tuple[Attachment, ...]:
    manifest = child(child(envelope, "edXMLBody"), "edXMLManifest")
    references = list(children(manifest, "Reference"))
    encoded = child(root, "AttachmentEncoded")
    if encoded is None:
        encoded = child(envelope, "AttachmentEncoded")
    items: dict[str, El] = {}
    for item in children(encoded, "Attachment"):
        key = _cid(required_text(item, "AttachmentEncoded/Attachment", "ContentId"))
        if key in items:
            raise EdxmlError(
                f"AttachmentEncoded/Attachment: ContentId '{key}' bị lặp",
                message_en=f"Duplicate ContentId '{key}'",
                element="AttachmentEncoded/Attachment",
            )
        items[key] = item
    result: list[Attachment] = []
    for reference in references:
        key = _cid(required_text(reference, "edXMLManifest/Reference", "ContentId"))
        matched = items.pop(key) if key in items else None
        if matched is None:
            raise EdxmlError(
                f"edXMLManifest/Reference: không có Attachment nào mang ContentId '{key}'",
                message_en=f"No Attachment carries the manifest's ContentId '{key}'",
                element="edXMLManifest/Reference/ContentId",
            )
        result.append(_attachment(matched, reference, limits))
    if items:
        key = next(iter(items))
        raise EdxmlError(
            f"AttachmentEncoded/Attachment: ContentId '{key}' không có trong edXMLManifest",
            message_en=f"Attachment '{key}' is not listed in the manifest",
            element="AttachmentEncoded/Attachment/ContentId",
        )
    return tuple(result)


def _attachment(item: El, reference: El, limits: ParseLimits) -> Attachment:
    path = "AttachmentEncoded/Attachment"
    content_id = text(item, "ContentId")
    name = text(item, "AttachmentName") or text(reference, "AttachmentName")
    wire_type = text(item, "ContentType") or text(reference, "ContentType")
    description = text(item, "Description") or text(reference, "Description")
    encoded = re.sub(r"\s+", "", text(item, "ContentTransferEncoded"))
    if len(encoded) * 3 // 4 > limits.max_attachment_bytes:
        raise EdxmlError(
            f"{path}: tệp '{name}' vượt giới hạn {limits.max_attachment_bytes} byte",
            message_en=f"Attachment '{name}' is too large",
            element=f"{path}/ContentTransferEncoded",
        )
    try:
        payload = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise EdxmlError(
            f"{path}/ContentTransferEncoded: tệp '{name}' ({content_id}) không phải base64 hợp lệ",
            message_en=f"Attachment '{name}' ({content_id}) is not valid base64",
            element=f"{path}/ContentTransferEncoded",
        ) from None
    try:
        content_type, data = unpack(name, wire_type, payload, max_bytes=limits.max_attachment_bytes)
    except InvalidInput as error:
        raise EdxmlError(error.message, message_en=error.message_en, element=path) from None
    return Attachment(content_id, name, data, content_type, description)


def parse_package(data: bytes, *, limits: ParseLimits = DEFAULT_LIMITS) -> EdocPackage | StatusPackage:
    """Read a document or status package; raise EdxmlError with the reason otherwise."""
    root = load_xml(data, limits)
    qname = etree.QName(root)
    if qname.namespace != NAMESPACE:
        raise EdxmlError(
            f"Phần tử gốc <{qname.localname}> thuộc không gian tên '{qname.namespace or ''}', "
            f"không phải của QCVN 102:2016 ({NAMESPACE})",
            message_en=f"Root element is not in the QCVN 102:2016 namespace {NAMESPACE}",
            element=qname.localname,
        )
    if qname.localname == "edXML":
        envelope = required_child(root, "edXML", "edXMLEnvelope")
    elif qname.localname.lower() == "edxmlenvelope":
        envelope = root
    else:
        raise EdxmlError(
            f"Phần tử gốc <{qname.localname}> không phải edXML",
            message_en=f"Root element <{qname.localname}> is not edXML",
            element=qname.localname,
        )
    header_el = required_child(envelope, "edXMLEnvelope", "edXMLHeader")
    message = required_child(header_el, "edXMLHeader", "MessageHeader")
    try:
        if child(message, "StatusCode") is not None:
            return _status(message)
        return _edoc(root, envelope, header_el, message, limits)
    except EdxmlError:
        raise
    except InvalidInput as error:
        raise EdxmlError(error.message, message_en=error.message_en, element=error.field) from None


def _edoc(root: El, envelope: El, header_el: El, message: El, limits: ParseLimits) -> EdocPackage:
    header = _message_header(message)
    trace_list = child(header_el, "TraceHeaderList")
    traces = tuple(
        TraceHeader(
            required_text(t, "TraceHeaderList/TraceHeader", "OrganId"),
            parse_timestamp(
                required_text(t, "TraceHeaderList/TraceHeader", "Timestamp"),
                "TraceHeaderList/TraceHeader/Timestamp",
            ),
        )
        for t in children(trace_list, "TraceHeader")
    )
    business_el = child(trace_list, "Bussiness", "Business")
    business = _business(business_el) if business_el is not None else None
    return EdocPackage(header, traces, business, _attachments(root, envelope, limits))


def _status(message: El) -> StatusPackage:
    p = "MessageHeader"
    response = _response_for(required_child(message, p, "ResponseFor"), f"{p}/ResponseFor")
    sender = _organization(required_child(message, p, "From"), f"{p}/From")
    staff_el = child(message, "StaffInfo")
    staff = _staff(staff_el) if staff_el is not None else StaffInfo()
    try:
        code = normalize_status_code(required_text(message, p, "StatusCode"))
    except EdxmlError:
        raise
    except InvalidInput as error:
        raise EdxmlError(
            f"{p}/StatusCode: {error.message}", message_en=error.message_en, element=f"{p}/StatusCode"
        ) from None
    when = parse_timestamp(required_text(message, p, "Timestamp"), f"{p}/Timestamp")
    return StatusPackage(response, sender, code, when, staff, text(message, "Description"))
