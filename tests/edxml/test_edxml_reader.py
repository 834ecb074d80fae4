"""Reading packages: the research samples (§8.1, §8.2) and the deviations seen in the wild (§1.9)."""

import base64
import io
import zipfile
from datetime import date, datetime, timedelta

from lxml import etree

from congvu.clerical.status_codes import StatusCode
from congvu.edxml.model import NAMESPACE, BusinessDocType, EdocPackage, StatusPackage
from congvu.edxml.reader import parse_package

DOC_ID = "000.00.00.H53,2025/03/05,6806/UBND-TTTH"


def test_every_element_of_the_samples_is_in_the_qcvn_namespace(edoc_bytes, status_bytes):
    for data in (edoc_bytes, status_bytes):
        root = etree.fromstring(data)
        assert {etree.QName(e).namespace for e in root.iter()} == {NAMESPACE}


def test_reconstructed_document_header(edoc_bytes):
    pkg = parse_package(edoc_bytes)
    assert isinstance(pkg, EdocPackage)
    h = pkg.header
    assert h.sender.organ_id == "000.00.00.H53"
    assert h.sender.organ_name == "Ủy ban nhân dân tỉnh Tây Ninh"
    assert [o.organ_id for o in h.to] == ["000.00.11.H53"]
    assert h.document_id == DOC_ID
    assert (h.code.code_number, h.code.code_notation) == ("6806", "UBND-TTTH")
    assert (h.promulgation_info.place, h.promulgation_info.promulgation_date) == (
        "Tây Ninh",
        date(2025, 3, 5),
    )
    assert (h.document_type.type_code, h.document_type.type_detail, h.document_type.type_name) == (
        1,
        0,
        "Công văn",
    )
    assert h.subject == "V/v triển khai kết nối liên thông văn bản"
    assert (h.signer_info.competence, h.signer_info.position, h.signer_info.full_name) == (
        "KT. CHỦ TỊCH",
        "Phó Chủ tịch",
        "Nguyễn Văn A",
    )
    assert h.due_date == date(2025, 3, 20)
    assert h.to_places == ("Như trên", "Lưu: VT, TTTH")
    assert (h.other_info.priority, h.other_info.typer_notation, h.other_info.page_amount) == (1, "TVC", 3)
    assert h.other_info.appendixes == ()  # the sample's empty <Appendix/> carries nothing
    assert h.steering_type == 1


def test_reconstructed_trace_business_and_attachment(edoc_bytes):
    pkg = parse_package(edoc_bytes)
    (trace,) = pkg.traces
    assert trace.organ_id == "000.00.00.H53"
    assert trace.timestamp == datetime(2025, 3, 5, 9, 15, tzinfo=trace.timestamp.tzinfo)
    assert trace.timestamp.utcoffset() == timedelta(hours=7)
    assert pkg.business.doc_type is BusinessDocType.NEW
    assert pkg.business.reason == "Văn bản điện tử mới"
    assert pkg.business.staff_info[0].staff == "Trần Thị B"
    (attachment,) = pkg.attachments
    assert attachment.name == "6806-UBND-TTTH.pdf"
    assert attachment.content_type == "application/pdf"
    assert attachment.data == b"%PDF-1.4\n"


def test_status_package(status_bytes):
    pkg = parse_package(status_bytes)
    assert isinstance(pkg, StatusPackage)
    assert pkg.response_for.document_id == DOC_ID
    assert pkg.response_for.code == "6806/UBND-TTTH"
    assert pkg.sender.organ_id == "000.00.11.H53"
    assert pkg.status_code == "03"
    assert pkg.status is StatusCode.ACCEPTED
    assert pkg.status.name_vi == "Đã tiếp nhận"
    assert pkg.staff_info.staff == "Lê Văn C"
    assert pkg.timestamp.strftime("%Y/%m/%d %H:%M:%S") == "2025/03/05 10:02:11"


def test_status_answers_the_document_of_the_first_sample(edoc_bytes, status_bytes):
    assert parse_package(status_bytes).response_for.document_id == parse_package(edoc_bytes).document_id


def test_business_spelled_with_one_s_is_read(edoc_bytes):
    variant = edoc_bytes.replace(b"Bussiness", b"Business")
    assert b"Bussiness" not in variant
    assert parse_package(variant) == parse_package(edoc_bytes)


def test_missing_business_block_means_new_document(edoc_bytes):
    start = edoc_bytes.index(b"<edXML:Bussiness>")
    end = edoc_bytes.index(b"</edXML:Bussiness>") + len(b"</edXML:Bussiness>")
    pkg = parse_package(edoc_bytes[:start] + edoc_bytes[end:])
    assert pkg.business is None
    assert pkg.business_doc_type is BusinessDocType.NEW


def test_cid_prefix_missing_on_one_side(edoc_bytes):
    variant = edoc_bytes.replace(b"<ContentId>cid:5b1f0c1e", b"<ContentId>5b1f0c1e")
    assert variant != edoc_bytes
    assert parse_package(variant).attachments[0].data == b"%PDF-1.4\n"


def test_day_first_dates_are_accepted(edoc_bytes):
    variant = edoc_bytes.replace(
        b"<edXML:PromulgationDate>2025/03/05</edXML:PromulgationDate>",
        b"<edXML:PromulgationDate>05/03/2025</edXML:PromulgationDate>",
    )
    assert parse_package(variant).header.promulgation_info.promulgation_date == date(2025, 3, 5)


def test_prefix_does_not_matter(edoc_bytes):
    renamed = edoc_bytes.replace(b"edXML:", b"q:").replace(b"xmlns:edXML=", b"xmlns:q=")
    unprefixed = edoc_bytes.replace(b"edXML:", b"").replace(
        b' xmlns:edXML="' + NAMESPACE.encode() + b'"', b""
    )
    assert parse_package(renamed) == parse_package(edoc_bytes)
    assert parse_package(unprefixed) == parse_package(edoc_bytes)


def test_bare_envelope_root_is_accepted(edoc_bytes):
    root = etree.fromstring(edoc_bytes)
    envelope = root[0]
    envelope.append(root[1])  # AttachmentEncoded moves inside the envelope
    assert parse_package(etree.tostring(envelope)) == parse_package(edoc_bytes)


def test_unqualified_children_under_a_qualified_root(edoc_bytes):
    text = edoc_bytes.decode()
    text = text.replace("edXML:", "").replace(f' xmlns:edXML="{NAMESPACE}"', "")
    text = text.replace(f'<edXML xmlns="{NAMESPACE}">', f'<x:edXML xmlns:x="{NAMESPACE}">').replace(
        "</edXML>", "</x:edXML>"
    )
    assert parse_package(text.encode()) == parse_package(edoc_bytes)


def test_comments_and_whitespace_are_ignored(edoc_bytes):
    variant = edoc_bytes.replace(b"<edXML:Subject>", b"<!-- note --><edXML:Subject>\n   ").replace(
        b"</edXML:Subject>", b"\n  </edXML:Subject>"
    )
    assert parse_package(variant).header.subject == "V/v triển khai kết nối liên thông văn bản"


def test_missing_document_id_is_composed(edoc_bytes):
    variant = edoc_bytes.replace(f"<edXML:DocumentId>{DOC_ID}</edXML:DocumentId>".encode(), b"", 1)
    assert parse_package(variant).header.document_id == DOC_ID


def test_disputed_codes_are_kept(edoc_bytes):
    variant = (
        edoc_bytes.replace(b"<edXML:Priority>1<", b"<edXML:Priority>4<")
        .replace(b"<edXML:SteeringType>1<", b"<edXML:SteeringType>0<")
        .replace(b"<edXML:Type>1<", b"<edXML:Type>18<")
    )
    h = parse_package(variant).header
    assert (h.other_info.priority, h.steering_type, h.document_type.type_code) == (4, 0, 18)


def test_impossible_date_in_a_document_id_is_kept_as_a_key(status_bytes):
    variant = status_bytes.replace(DOC_ID.encode(), b"000.00.00.G22,2014/02/30,7806/VPCP-TTD").replace(
        b"<edXML:PromulgationDate>2025/03/05</edXML:PromulgationDate>", b"<edXML:PromulgationDate/>"
    )
    pkg = parse_package(variant)
    assert pkg.response_for.document_id == "000.00.00.G22,2014/02/30,7806/VPCP-TTD"
    assert pkg.response_for.promulgation_date is None


def test_unknown_status_code_is_kept(status_bytes):
    pkg = parse_package(status_bytes.replace(b"<edXML:StatusCode>03<", b"<edXML:StatusCode>7<"))
    assert pkg.status_code == "07"
    assert pkg.status is None


def _zip(name: str, data: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(name, data)
    return buffer.getvalue()


def _with_attachment(edoc_bytes: bytes, name: str, content_type: str, payload: bytes) -> bytes:
    encoded = base64.b64encode(payload)
    return (
        edoc_bytes.replace(b"6806-UBND-TTTH.pdf", name.encode())
        .replace(b"<ContentType>application/pdf", b"<ContentType>" + content_type.encode())
        .replace(b"JVBERi0xLjQK", encoded)
    )


def test_old_samples_zip_even_a_doc(edoc_bytes):
    word = b"\xd0\xcf\x11\xe0 legacy word file"
    pkg = parse_package(
        _with_attachment(edoc_bytes, "tờ trình.doc", "application/zip", _zip("tờ trình.doc", word))
    )
    assert pkg.attachments[0].data == word
    assert pkg.attachments[0].content_type == "application/msword"


def test_a_real_zip_stays_zipped(edoc_bytes):
    archive = _zip("a.txt", b"a")
    pkg = parse_package(_with_attachment(edoc_bytes, "hồ sơ.zip", "application/zip", archive))
    assert pkg.attachments[0].data == archive


def test_base64_with_line_breaks_is_accepted(edoc_bytes):
    payload = bytes(range(200))
    encoded = base64.encodebytes(payload)  # 76-column lines
    variant = edoc_bytes.replace(b"JVBERi0xLjQK", encoded)
    assert parse_package(variant).attachments[0].data == payload
