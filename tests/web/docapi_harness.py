"""What the document API tests share: the web tests' province with places for its agencies, API tokens made
through the access service, and document files in base64."""

from __future__ import annotations

import base64
from dataclasses import dataclass

from web_helpers import ADMIN, Province, make_province

from congvu.access.service import access_for
from congvu.demo.pdf import make_pdf
from congvu.documents.service import documents_for
from congvu.installation import Installation


@dataclass(frozen=True)
class DocProvince:
    province: Province
    province_token: str  # made by the province administrator: every agency
    agency_token: str  # made by H19.04's administrator for H19.04 (and H19.04.01)

    @property
    def inst(self) -> Installation:
        return self.province.inst


def doc_province(installation: Installation) -> DocProvince:
    province = make_province(installation)
    docs = documents_for(installation)
    for code in ("H19.04", "H19.05"):
        docs.profiles.set_place(code, "Biên Hòa")
    access = access_for(installation.directory)
    whole = access.api_tokens.create("Cổng dữ liệu tỉnh", created_by=ADMIN, agency_id=None, actor=ADMIN)
    h1904 = installation.directory.agencies.show("H19.04").id
    own = access.api_tokens.create("Phần mềm của Sở", created_by=province.agency_admin, agency_id=h1904,
                                   actor=province.agency_admin)
    return DocProvince(province, whole.secret, own.secret)


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def pdf_base64(text: str) -> str:
    return base64.b64encode(make_pdf([text])).decode()


def issue_body(agency: str, to: list[str], **changes: object) -> dict[str, object]:
    body: dict[str, object] = {
        "agency": agency, "type": "cong_van", "unit": "VP", "subject": "V/v triển khai thư điện tử công vụ",
        "signer_name": "Lê Minh Tân", "signer_position": "Giám đốc", "to": to,
        "file": {"filename": "cong-van.pdf", "data_base64": pdf_base64("Cong van")},
        "attachments": [{"filename": "phu-luc.pdf", "data_base64": pdf_base64("Phu luc")}]}
    body.update(changes)
    return body
