"""Malformed and hostile input: every failure is an EdxmlError (an InvalidInput) naming what is wrong."""

import base64
import io
import zipfile

import pytest

from congvu.edxml.errors import EdxmlError
from congvu.edxml.reader import ParseLimits, parse_package
from congvu.errors import InvalidInput

NS = b"http://www.mic.gov.vn/TBT/QCVN_102_2016"

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE edXML [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016"><edXMLEnvelope>&lol9;</edXMLEnvelope></edXML>
"""


def _error(data: bytes, **kwargs) -> EdxmlError:
    with pytest.raises(EdxmlError) as caught:
        parse_package(data, **kwargs)
    assert isinstance(caught.value, InvalidInput)
    return caught.value


def test_billion_laughs_is_refused():
    error = _error(BILLION_LAUGHS)
    assert "DOCTYPE" in error.message


def test_external_entity_is_refused_and_not_read(edoc_bytes):
    hostile = edoc_bytes.replace(
        b'<?xml version="1.0" encoding="UTF-8"?>',
        b'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE edXML [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
    ).replace("V/v triển khai".encode(), b"&xxe;", 1)
    error = _error(hostile)
    assert "DOCTYPE" in error.message
    assert "root:" not in error.message


def test_doctype_after_comments_and_bom_is_refused(edoc_bytes):
    hostile = b"\xef\xbb\xbf" + edoc_bytes.replace(
        b'<?xml version="1.0" encoding="UTF-8"?>',
        b'<?xml version="1.0" encoding="UTF-8"?>\n<!-- x --><?pi y?>\n<!DOCTYPE edXML []>',
    )
    assert _error(hostile).element == "DOCTYPE"


def test_utf16_doctype_is_refused(edoc_bytes):
    hostile = edoc_bytes.replace(b'encoding="UTF-8"', b'encoding="UTF-16"').replace(
        b"?>", b"?>\n<!DOCTYPE edXML []>", 1
    )
    assert _error(hostile.decode().encode("utf-16")).element == "DOCTYPE"


def test_external_dtd_is_refused_without_network(edoc_bytes):
    hostile = edoc_bytes.replace(
        b'<?xml version="1.0" encoding="UTF-8"?>',
        b'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE edXML SYSTEM "http://127.0.0.1:9/edxml.dtd">',
    )
    assert "DOCTYPE" in _error(hostile).message


def test_wrong_namespace_seen_in_the_wild(edoc_bytes):
    error = _error(edoc_bytes.replace(NS, b"http://www.go.vn/eDoc"))
    assert "QCVN 102:2016" in error.message
    assert error.element == "edXML"


def test_no_namespace_at_all():
    error = _error(b"<edXML><edXMLEnvelope/></edXML>")
    assert "không gian tên" in error.message


def test_foreign_root_in_the_right_namespace():
    error = _error(b'<Envelope xmlns="' + NS + b'"/>')
    assert error.element == "Envelope"


def test_missing_to(edoc_bytes):
    start = edoc_bytes.index(b"<edXML:To>")
    end = edoc_bytes.index(b"</edXML:To>") + len(b"</edXML:To>")
    error = _error(edoc_bytes[:start] + edoc_bytes[end:])
    assert error.element == "MessageHeader/To"
    assert "nơi nhận" in error.message


@pytest.mark.parametrize(
    ("old", "new", "element"),
    [
        (
            "<edXML:Subject>V/v triển khai kết nối liên thông văn bản</edXML:Subject>",
            "",
            "MessageHeader/Subject",
        ),
        ("<edXML:CodeNumber>6806</edXML:CodeNumber>", "", "MessageHeader/Code/CodeNumber"),
        ("<edXML:OrganId>000.00.00.H53</edXML:OrganId>", "", "MessageHeader/From/OrganId"),
        (
            "<edXML:PromulgationDate>2025/03/05<",
            "<edXML:PromulgationDate>2025/13/45<",
            "MessageHeader/PromulgationInfo/PromulgationDate",
        ),
        ("<edXML:DueDate>2025/03/20<", "<edXML:DueDate>hôm nay<", "MessageHeader/DueDate"),
        (
            "<edXML:Timestamp>2025/03/05 09:15:00<",
            "<edXML:Timestamp>sáng nay<",
            "TraceHeaderList/TraceHeader/Timestamp",
        ),
        (
            "<edXML:DocumentId>000.00.00.H53,2025/03/05,6806/UBND-TTTH</edXML:DocumentId>",
            "<edXML:DocumentId>6806/UBND-TTTH</edXML:DocumentId>",
            "MessageHeader/DocumentId",
        ),
        ("<edXML:Priority>1<", "<edXML:Priority>cao<", "MessageHeader/OtherInfo/Priority"),
        (
            "<edXML:BussinessDocType>0<",
            "<edXML:BussinessDocType>9<",
            "TraceHeaderList/Bussiness/BussinessDocType",
        ),
    ],
)
def test_missing_or_bad_values_name_the_element(edoc_bytes, old, new, element):
    variant = edoc_bytes.replace(old.encode(), new.encode(), 1)
    assert variant != edoc_bytes
    error = _error(variant)
    assert error.element == element
    assert element.rsplit("/", 1)[-1] in error.message


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"<edXML",
        b"<?xml version='1.0'?><edXML xmlns='x'><a></b></edXML>",
        b"\xff\xfe\x00garbage",
        "é".encode("latin-1"),
    ],
)
def test_malformed_xml(data):
    assert "XML" in _error(data).message


def test_not_bytes():
    with pytest.raises(EdxmlError):
        parse_package("<edXML/>")  # type: ignore[arg-type]


def test_size_limit(edoc_bytes):
    error = _error(edoc_bytes, limits=ParseLimits(max_package_bytes=1000))
    assert "giới hạn" in error.message


def test_huge_text_node_is_refused_without_huge_mode(edoc_bytes):
    big = base64.b64encode(b"\0" * 8_000_000)
    error = _error(edoc_bytes.replace(b"JVBERi0xLjQK", big))
    assert "XML" in error.message


def test_reference_without_attachment(edoc_bytes):
    start = edoc_bytes.index(b"<Attachment>")
    end = edoc_bytes.index(b"</Attachment>") + len(b"</Attachment>")
    error = _error(edoc_bytes[:start] + edoc_bytes[end:])
    assert "5b1f0c1e-0000-4000-8000-000000000001" in error.message
    assert error.element == "edXMLManifest/Reference/ContentId"


def test_attachment_without_reference(edoc_bytes):
    start = edoc_bytes.index(b"<edXML:Reference>")
    end = edoc_bytes.index(b"</edXML:Reference>") + len(b"</edXML:Reference>")
    error = _error(edoc_bytes[:start] + edoc_bytes[end:])
    assert error.element == "AttachmentEncoded/Attachment/ContentId"


def test_duplicate_attachment(edoc_bytes):
    start = edoc_bytes.index(b"<Attachment>")
    end = edoc_bytes.index(b"</Attachment>") + len(b"</Attachment>")
    twice = edoc_bytes[:end] + edoc_bytes[start:end] + edoc_bytes[end:]
    assert "lặp" in _error(twice).message


def test_bad_base64(edoc_bytes):
    error = _error(edoc_bytes.replace(b"JVBERi0xLjQK", b"JVBERi0x*LjQK"))
    assert error.element == "AttachmentEncoded/Attachment/ContentTransferEncoded"
    assert "base64" in error.message


def test_zip_bomb_is_bounded(edoc_bytes):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("bomb.png", b"\0" * 5_000_000)
    variant = (
        edoc_bytes.replace(b"6806-UBND-TTTH.pdf", b"bomb.png")
        .replace(b"<ContentType>application/pdf", b"<ContentType>application/zip")
        .replace(b"JVBERi0xLjQK", base64.b64encode(buffer.getvalue()))
    )
    assert len(variant) < 50_000
    error = _error(variant, limits=ParseLimits(max_attachment_bytes=1_000_000))
    assert "bomb.png" in error.message


def test_bad_status_code(status_bytes):
    error = _error(status_bytes.replace(b"<edXML:StatusCode>03<", b"<edXML:StatusCode>OK<"))
    assert error.element == "MessageHeader/StatusCode"


def test_status_without_response_for(status_bytes):
    start = status_bytes.index(b"<edXML:ResponseFor>")
    end = status_bytes.index(b"</edXML:ResponseFor>") + len(b"</edXML:ResponseFor>")
    assert _error(status_bytes[:start] + status_bytes[end:]).element == "MessageHeader/ResponseFor"


def test_deep_nesting_is_refused():
    deep = b"<a>" * 5000 + b"</a>" * 5000
    data = b'<edXML xmlns="' + NS + b'"><edXMLEnvelope>' + deep + b"</edXMLEnvelope></edXML>"
    assert "XML" in _error(data).message
