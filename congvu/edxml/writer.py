"""Building edXML packages (QCVN 102:2016/BTTTT) from the model.

Layout as emitted by the national platform's library and its samples: root ``edXML`` with the QCVN namespace
as default, ``edXML:edXMLEnvelope`` binding the prefix ``edXML`` to the same namespace, ``edXMLHeader``
(``MessageHeader``, ``TraceHeaderList``) and ``edXMLBody/edXMLManifest/Reference*``, then
``AttachmentEncoded`` beside the envelope. Elements go in the order of the library; optional text elements are
written empty rather than left out, as the samples do. Dates are ``yyyy/MM/dd``, times ``yyyy/MM/dd HH:mm:ss``
in Vietnam time, base64 is written on one line (the platform's Java decoder refuses line breaks). The block
spelled ``Bussiness`` keeps its double s on output.

The envelope ``Signature`` block is not written: in the platform's samples it is a placeholder outside the
XML-DSig namespace; the binding signatures are the PDF ones (NĐ 30/2020 Điều 5).
"""

from __future__ import annotations

import base64
from datetime import date, datetime

from lxml import etree

from congvu.edxml.attachments import pack
from congvu.edxml.errors import EdxmlError
from congvu.edxml.model import (
    NAMESPACE,
    Attachment,
    Business,
    BusinessDocType,
    EdocPackage,
    MessageHeader,
    Organization,
    ResponseFor,
    StaffInfo,
    StatusPackage,
    TraceHeader,
    vietnam_time,
)
from congvu.edxml.validate import ensure_valid

_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'


def _q(name: str) -> str:
    return f"{{{NAMESPACE}}}{name}"


def _add(parent: etree._Element, name: str, text: str | int | bool | None = None) -> etree._Element:
    element = etree.SubElement(parent, _q(name))
    if text is None:
        return element
    value = ("true" if text else "false") if isinstance(text, bool) else str(text)
    if not value:
        return element
    try:
        element.text = value
    except ValueError:
        raise EdxmlError(
            f"Phần tử {name} chứa ký tự không được phép trong XML",
            message_en=f"{name} holds characters XML cannot carry",
            element=name,
        ) from None
    return element


def format_date(value: date | None) -> str:
    return value.strftime("%Y/%m/%d") if value is not None else ""


def format_timestamp(value: datetime) -> str:
    return vietnam_time(value).strftime("%Y/%m/%d %H:%M:%S")


def _organization(parent: etree._Element, name: str, org: Organization) -> None:
    element = _add(parent, name)
    for tag, value in (
        ("OrganId", org.organ_id),
        ("OrganizationInCharge", org.organization_in_charge),
        ("OrganName", org.organ_name),
        ("OrganAdd", org.organ_add),
        ("Email", org.email),
        ("Telephone", org.telephone),
        ("Fax", org.fax),
        ("Website", org.website),
    ):
        _add(element, tag, value)


def _staff(parent: etree._Element, staff: StaffInfo) -> None:
    element = _add(parent, "StaffInfo")
    for tag, value in (
        ("Department", staff.department),
        ("Staff", staff.staff),
        ("Mobile", staff.mobile),
        ("Email", staff.email),
    ):
        _add(element, tag, value)


def _response_for(parent: etree._Element, response: ResponseFor) -> None:
    element = _add(parent, "ResponseFor")
    _add(element, "OrganId", response.organ_id)
    _add(element, "Code", response.code)
    _add(element, "PromulgationDate", format_date(response.promulgation_date))
    _add(element, "DocumentId", response.document_id)


def _message_header(parent: etree._Element, header: MessageHeader) -> None:
    element = _add(parent, "MessageHeader")
    _organization(element, "From", header.sender)
    for recipient in header.to:
        _organization(element, "To", recipient)
    _add(element, "DocumentId", header.document_id)
    code = _add(element, "Code")
    _add(code, "CodeNumber", header.code.code_number)
    _add(code, "CodeNotation", header.code.code_notation)
    info = _add(element, "PromulgationInfo")
    _add(info, "Place", header.promulgation_info.place)
    _add(info, "PromulgationDate", format_date(header.promulgation_info.promulgation_date))
    kind = _add(element, "DocumentType")
    _add(kind, "Type", header.document_type.type_code)
    _add(kind, "TypeDetail", header.document_type.type_detail)
    _add(kind, "TypeName", header.document_type.type_name)
    _add(element, "Subject", header.subject)
    _add(element, "Content", header.content)
    signer = _add(element, "SignerInfo")
    _add(signer, "Competence", header.signer_info.competence)
    _add(signer, "Position", header.signer_info.position)
    _add(signer, "FullName", header.signer_info.full_name)
    _add(element, "DueDate", format_date(header.due_date))
    places = _add(element, "ToPlaces")
    for place in header.to_places:
        _add(places, "Place", place)
    other = _add(element, "OtherInfo")
    o = header.other_info
    for tag, value in (
        ("Priority", o.priority),
        ("SphereOfPromulgation", o.sphere_of_promulgation),
        ("TyperNotation", o.typer_notation),
        ("PromulgationAmount", o.promulgation_amount),
        ("PageAmount", o.page_amount),
        ("Direction", o.direction),
    ):
        _add(other, tag, value)
    appendixes = _add(other, "Appendixes")
    for appendix in o.appendixes:
        _add(appendixes, "Appendix", appendix)
    for response in header.response_for:
        _response_for(element, response)
    _add(element, "SteeringType", header.steering_type)


def _business(parent: etree._Element, business: Business) -> None:
    element = _add(parent, "Bussiness")
    _add(element, "DocumentId", business.document_id)
    _add(element, "BussinessDocType", int(business.doc_type))
    _add(element, "BussinessDocReason", business.reason)
    _add(element, "Paper", 1 if business.paper else 0)
    for staff in business.staff_info:
        _staff(element, staff)
    if business.doc_type is BusinessDocType.UPDATE or business.receivers:
        info = _add(element, "BussinessDocumentInfo")
        _add(info, "DocumentInfo", 1 if business.content_changed else 0)
        _add(info, "DocumentReceiver", 1 if business.receivers_changed else 0)
        receivers = _add(info, "ReceiverList")
        for receiver in business.receivers:
            item = _add(receivers, "Receiver")
            _add(item, "OrganId", receiver.organ_id)
            _add(item, "ReceiverType", receiver.receiver_type)
    if business.doc_type is BusinessDocType.REPLACE or business.replacements:
        replacements = _add(element, "ReplacementInfoList")
        for replacement in business.replacements:
            item = _add(replacements, "ReplacementInfo")
            _add(item, "DocumentId", replacement.document_id)
            organs = _add(item, "OrganIdList")
            for organ_id in replacement.organ_ids:
                _add(organs, "OrganId", organ_id)


def _trace_list(parent: etree._Element, traces: tuple[TraceHeader, ...], business: Business | None) -> None:
    element = _add(parent, "TraceHeaderList")
    for trace in traces:
        hop = _add(element, "TraceHeader")
        _add(hop, "OrganId", trace.organ_id)
        _add(hop, "Timestamp", format_timestamp(trace.timestamp))
    if business is not None:
        _business(element, business)


def _attachments(body: etree._Element, root: etree._Element, attachments: tuple[Attachment, ...]) -> None:
    manifest = etree.SubElement(body, _q("edXMLManifest"), version="1.0")
    encoded = _add(root, "AttachmentEncoded")
    for attachment in attachments:
        wire_type, payload = pack(attachment.name, attachment.content_type, attachment.data)
        reference = _add(manifest, "Reference")
        _add(reference, "ContentId", attachment.content_id)
        _add(reference, "ContentType", wire_type)
        _add(reference, "Description", attachment.description)
        _add(reference, "AttachmentName", attachment.name)
        item = _add(encoded, "Attachment")
        _add(item, "ContentId", attachment.content_id)
        _add(item, "AttachmentName", attachment.name)
        _add(item, "Description", attachment.description)
        _add(item, "ContentType", wire_type)
        _add(item, "ContentTransferEncoded", base64.b64encode(payload).decode("ascii"))


def _envelope() -> tuple[etree._Element, etree._Element, etree._Element]:
    root = etree.Element(_q("edXML"), nsmap={None: NAMESPACE})  # type: ignore[dict-item]
    envelope = etree.SubElement(root, _q("edXMLEnvelope"), nsmap={"edXML": NAMESPACE})
    header = _add(envelope, "edXMLHeader")
    return root, envelope, header


def _serialise(root: etree._Element) -> bytes:
    return _DECLARATION + etree.tostring(root, encoding="UTF-8", xml_declaration=False, pretty_print=True)


def build_edoc(pkg: EdocPackage, *, check: bool = True) -> bytes:
    """The UTF-8 bytes of a document package; with ``check``, refuse one that :mod:`validate` faults."""
    if check:
        ensure_valid(pkg)
    root, envelope, header = _envelope()
    _message_header(header, pkg.header)
    _trace_list(header, pkg.traces, pkg.business)
    body = _add(envelope, "edXMLBody")
    _attachments(body, root, pkg.attachments)
    return _serialise(root)


def build_status(pkg: StatusPackage, *, check: bool = True) -> bytes:
    """The UTF-8 bytes of a status package (``MessageHeader`` only, as in the platform's samples)."""
    if check:
        ensure_valid(pkg)
    root, _, header = _envelope()
    element = _add(header, "MessageHeader")
    _response_for(element, pkg.response_for)
    _organization(element, "From", pkg.sender)
    _staff(element, pkg.staff_info)
    _add(element, "StatusCode", pkg.status_code)
    _add(element, "Description", pkg.description)
    _add(element, "Timestamp", format_timestamp(pkg.timestamp))
    return _serialise(root)
