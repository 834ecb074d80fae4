"""Building packages: layout, spellings and formats of QCVN 102:2016 as the national platform emits them."""

import base64
import dataclasses
import io
import zipfile
from datetime import UTC, datetime

import pytest
from edxml_samples import full_edoc, full_status
from lxml import etree

from congvu.edxml.errors import EdxmlError
from congvu.edxml.model import NAMESPACE, Attachment, MessageHeader
from congvu.edxml.reader import parse_package
from congvu.edxml.writer import build_edoc, build_status

Q = f"{{{NAMESPACE}}}"


def _local(element) -> str:
    return etree.QName(element).localname


def test_envelope_layout_and_prefixes():
    data = build_edoc(full_edoc())
    assert data.startswith(
        b'<?xml version="1.0" encoding="UTF-8"?>\n<edXML xmlns="' + NAMESPACE.encode() + b'">'
    )
    root = etree.fromstring(data)
    assert root.tag == Q + "edXML" and root.prefix is None
    envelope, encoded = list(root)
    assert envelope.tag == Q + "edXMLEnvelope" and envelope.prefix == "edXML"
    assert encoded.tag == Q + "AttachmentEncoded" and encoded.prefix is None
    assert [_local(e) for e in envelope] == ["edXMLHeader", "edXMLBody"]
    assert [_local(e) for e in envelope[0]] == ["MessageHeader", "TraceHeaderList"]
    manifest = envelope[1][0]
    assert _local(manifest) == "edXMLManifest" and manifest.get("version") == "1.0"
    assert {etree.QName(e).namespace for e in root.iter()} == {NAMESPACE}


def test_message_header_order():
    header = etree.fromstring(build_edoc(full_edoc())).find(
        f"{Q}edXMLEnvelope/{Q}edXMLHeader/{Q}MessageHeader"
    )
    assert [_local(e) for e in header] == [
        "From",
        "To",
        "To",
        "DocumentId",
        "Code",
        "PromulgationInfo",
        "DocumentType",
        "Subject",
        "Content",
        "SignerInfo",
        "DueDate",
        "ToPlaces",
        "OtherInfo",
        "ResponseFor",
        "SteeringType",
    ]
    assert [_local(e) for e in header.find(f"{Q}OtherInfo")] == [
        "Priority",
        "SphereOfPromulgation",
        "TyperNotation",
        "PromulgationAmount",
        "PageAmount",
        "Direction",
        "Appendixes",
    ]


def test_bussiness_keeps_its_double_s():
    data = build_edoc(full_edoc())
    assert b"<edXML:Bussiness>" in data and b"<edXML:BussinessDocType>2<" in data
    assert b"<edXML:BussinessDocReason>" in data and b"BussinessDocumentInfo" in data
    assert b"Business" not in data


def test_dates_and_vietnam_time():
    pkg = full_edoc()
    utc = dataclasses.replace(pkg.traces[0], timestamp=datetime(2025, 3, 5, 2, 15, 0, 123456, tzinfo=UTC))
    data = build_edoc(dataclasses.replace(pkg, traces=(utc,)))
    assert b"<edXML:PromulgationDate>2025/03/05<" in data
    assert b"<edXML:DueDate>2025/03/31<" in data
    assert b"<edXML:Timestamp>2025/03/05 09:15:00<" in data


def _encoded(data: bytes) -> dict[str, tuple[str, bytes]]:
    root = etree.fromstring(data)
    out = {}
    for item in root.find(f"{Q}AttachmentEncoded"):
        name = item.findtext(f"{Q}AttachmentName")
        text = item.findtext(f"{Q}ContentTransferEncoded")
        assert "\n" not in text and " " not in text  # one line: the platform's Java decoder wants no breaks
        out[name] = (item.findtext(f"{Q}ContentType"), base64.b64decode(text))
    return out


def test_attachments_base64_and_zipping_rule():
    pkg = full_edoc()
    encoded = _encoded(build_edoc(pkg))
    assert encoded["07-CT-UBND.pdf"] == ("application/pdf", pkg.attachments[0].data)
    png_type, png_wire = encoded["sơ đồ.png"]
    assert png_type == "application/zip"
    with zipfile.ZipFile(io.BytesIO(png_wire)) as archive:
        assert archive.namelist() == ["sơ đồ.png"]
        assert archive.read("sơ đồ.png") == pkg.attachments[1].data
    assert encoded["danh sách.txt"][0] == "application/zip"


@pytest.mark.parametrize("name", ["a.pdf", "a.doc", "a.docx", "a.xls", "a.xlsx", "a.zip", "A.PDF"])
def test_formats_sent_as_they_are(name):
    pkg = full_edoc()
    one = Attachment("cid:1", name, b"PK\x03\x04 not really", "")
    data = build_edoc(dataclasses.replace(pkg, attachments=(one,)))
    assert _encoded(data)[name][1] == b"PK\x03\x04 not really"


def test_manifest_and_encoded_share_content_ids():
    root = etree.fromstring(build_edoc(full_edoc()))
    manifest = root.find(f"{Q}edXMLEnvelope/{Q}edXMLBody/{Q}edXMLManifest")
    refs = [r.findtext(f"{Q}ContentId") for r in manifest]
    items = [a.findtext(f"{Q}ContentId") for a in root.find(f"{Q}AttachmentEncoded")]
    assert refs == items == [a.content_id for a in full_edoc().attachments]


def test_output_is_deterministic():
    assert build_edoc(full_edoc()) == build_edoc(full_edoc())


def test_invalid_package_is_refused_before_sending():
    pkg = full_edoc()
    bad = dataclasses.replace(pkg, header=dataclasses.replace(pkg.header, subject="x" * 501))
    with pytest.raises(EdxmlError) as caught:
        build_edoc(bad)
    assert caught.value.element == "MessageHeader/Subject"
    assert "500" in caught.value.message
    assert b"x" * 501 in build_edoc(bad, check=False)


def test_characters_xml_cannot_carry_are_refused():
    pkg = full_edoc()
    bad = dataclasses.replace(pkg, header=dataclasses.replace(pkg.header, content="a\x01b"))
    with pytest.raises(EdxmlError) as caught:
        build_edoc(bad)
    assert caught.value.element == "Content"


def test_document_id_is_composed_when_not_given():
    header: MessageHeader = full_edoc().header
    rebuilt = dataclasses.replace(header, document_id="")
    assert rebuilt.document_id == "000.00.00.H53,2025/03/05,07/CT-UBND"


def test_status_layout():
    data = build_status(full_status())
    root = etree.fromstring(data)
    (envelope,) = list(root)
    (header,) = list(envelope)
    (message,) = list(header)
    assert [_local(e) for e in message] == [
        "ResponseFor",
        "From",
        "StaffInfo",
        "StatusCode",
        "Description",
        "Timestamp",
    ]
    assert message.findtext(f"{Q}StatusCode") == "03"
    assert message.findtext(f"{Q}ResponseFor/{Q}Code") == "07/CT-UBND"
    assert message.findtext(f"{Q}Timestamp") == "2025/03/05 10:02:11"
    assert isinstance(parse_package(data), type(full_status()))


def test_status_with_unknown_code_is_refused_on_output():
    with pytest.raises(EdxmlError) as caught:
        build_status(dataclasses.replace(full_status(), status_code="07"))
    assert caught.value.element == "MessageHeader/StatusCode"
