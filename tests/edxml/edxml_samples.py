"""A complete document package and status package built in code, shared by the edXML tests."""

from datetime import date, datetime

from congvu.edxml.model import (
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
    ResponseFor,
    SignerInfo,
    StaffInfo,
    StatusPackage,
    TraceHeader,
)


def full_edoc() -> EdocPackage:
    """A package using every part of the model, with values differing from every default."""
    sender = Organization(
        "000.00.00.H53",
        "UBND tỉnh Tây Ninh",
        "Ủy ban nhân dân tỉnh Tây Ninh",
        "Số 2 Hoàng Lê Kha",
        "vanthu@tayninh.gov.vn",
        "0276 3822 222",
        "0276 3822 223",
        "https://tayninh.gov.vn",
    )
    to = (
        Organization("000.00.11.H53", "UBND tỉnh Tây Ninh", "Sở Tài chính"),
        Organization("H53.15", "UBND tỉnh Tây Ninh", "Sở Thông tin và Truyền thông"),
    )
    header = MessageHeader(
        sender=sender,
        to=to,
        code=Code("07", "CT-UBND"),
        promulgation_info=PromulgationInfo("Tây Ninh", date(2025, 3, 5)),
        subject="Về việc tăng cường sử dụng hệ thống thư điện tử công vụ",
        document_type=DocumentType("Chỉ thị", 2, 0),
        content="Tóm tắt: các cơ quan dùng hộp thư @tayninh.gov.vn",
        signer_info=SignerInfo("KT. CHỦ TỊCH", "Phó Chủ tịch", "Trần Văn Vĩnh"),
        due_date=date(2025, 3, 31),
        to_places=("Như trên", "TT. Tỉnh ủy (b/c)", "Lưu: VT, TTTH"),
        other_info=OtherInfo(2, "Liên thông văn bản", "TVC", 25, 4, True, ("Phụ lục I", "Phụ lục II")),
        response_for=(
            ResponseFor("000.00.00.G22", "7806/VPCP-TTĐT", None, "000.00.00.G22,2014/02/30,7806/VPCP-TTĐT"),
        ),
        steering_type=2,
    )
    business = Business(
        doc_type=BusinessDocType.UPDATE,
        document_id="000.00.00.H53,2025/03/01,05/CT-UBND",
        reason="Cập nhật văn bản điện tử",
        paper=True,
        staff_info=(StaffInfo("Văn thư", "Trần Thị B", "0900000000", "vanthu@tayninh.gov.vn"),),
        content_changed=True,
        receivers_changed=True,
        receivers=(Receiver("000.00.11.H53", 0), Receiver("H53.15", 1)),
    )
    attachments = (
        Attachment(
            "cid:5b1f0c1e-0000-4000-8000-000000000001",
            "07-CT-UBND.pdf",
            b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n",
            "application/pdf",
            "Chỉ thị 07",
        ),
        Attachment(
            "cid:5b1f0c1e-0000-4000-8000-000000000002",
            "sơ đồ.png",
            bytes(range(256)) * 4,
            "image/png",
            "Sơ đồ kết nối",
        ),
        Attachment(
            "cid:5b1f0c1e-0000-4000-8000-000000000003",
            "danh sách.txt",
            "Nguyễn Văn A\n".encode(),
            "text/plain",
            "Danh sách",
        ),
    )
    traces = (
        TraceHeader("000.00.00.H53", datetime(2025, 3, 5, 9, 15, 0)),
        TraceHeader("000.00.00.G22", datetime(2025, 3, 5, 9, 16, 30)),
    )
    return EdocPackage(header, traces, business, attachments)


def full_status() -> StatusPackage:
    return StatusPackage(
        ResponseFor("000.00.00.H53", "07/CT-UBND", date(2025, 3, 5), "000.00.00.H53,2025/03/05,07/CT-UBND"),
        Organization("000.00.11.H53", "UBND tỉnh Tây Ninh", "Sở Tài chính"),
        "03",
        datetime(2025, 3, 5, 10, 2, 11),
        StaffInfo("Văn thư", "Lê Văn C", "0911111111", "vanthu.stc@tayninh.gov.vn"),
        "Văn thư: Đã tiếp nhận, vào sổ số đến 1234",
    )
