"""A small province for document tests, and helpers to draft documents."""

from __future__ import annotations

from dataclasses import replace

import pytest
from docmaterial import make_pdf

from congvu.documents.models import DraftInput, FileInput, Signer
from congvu.documents.service import DocumentService, documents_for
from congvu.installation import Installation


def province_tree(inst: Installation) -> None:
    d = inst.directory
    d.agencies.add(code="H19", name="Ủy ban nhân dân tỉnh Đồng Nai", short_name="UBND", level="province")
    d.agencies.add(code="H19.01", name="Văn phòng Ủy ban nhân dân tỉnh", short_name="VPUBND",
                   level="department", parent="H19")
    d.agencies.add(code="H19.04", name="Sở Thông tin và Truyền thông", short_name="STTTT", level="department",
                   parent="H19")
    d.agencies.add(code="H19.18", name="Sở Nội vụ", short_name="SNV", level="department", parent="H19")
    d.agencies.add(code="H19.31", name="UBND huyện Thống Nhất", short_name="UBND", level="district", parent="H19")
    d.groups.add("cacso@dongnai.gov.vn", name="Các sở, ban, ngành", rule="level=department")


@pytest.fixture
def province(installation: Installation) -> Installation:
    province_tree(installation)
    return installation


@pytest.fixture
def docs(province: Installation) -> DocumentService:
    service = documents_for(province)
    service.profiles.set_place("H19.01", "Biên Hòa")
    return service


def cong_van(**changes: object) -> DraftInput:
    """A công văn of the provincial office to the Department of Information and Communications."""
    draft = DraftInput(
        agency="H19.01", doc_type="cong_van", drafting_unit="TTTH",
        subject="V/v tăng cường sử dụng thư điện tử công vụ",
        signer=Signer("Trần Văn Vĩnh", "Phó Chủ tịch", "KT. CHỦ TỊCH"),
        main_file=FileInput("6806-UBND-TTTH.pdf", make_pdf("Cong van 6806")),
        kinh_gui=("H19.04",))
    return replace(draft, **changes)  # type: ignore[arg-type]
