"""A small province for mail store tests: two people and an agency mailbox with one clerk (delegate)."""

from __future__ import annotations

import pytest
from mailstore_samples import People

from congvu.installation import Installation


@pytest.fixture
def people(installation: Installation) -> People:
    d = installation.directory
    d.agencies.add(code="H19", name="Ủy ban nhân dân tỉnh Đồng Nai", short_name="UBND", level="province")
    d.agencies.add(code="H19.04", name="Sở Thông tin và Truyền thông", short_name="STTTT", level="department",
                   parent="H19", mailbox="stttt")
    an = d.accounts.add(full_name="Nguyễn Văn An", agency="H19.04", address="nvan@dongnai.gov.vn",
                        password="Matkhau@2026").account
    binh = d.accounts.add(full_name="Trần Thị Bình", agency="H19.04", address="ttbinh@dongnai.gov.vn",
                          password="Matkhau@2026").account
    d.accounts.grant(binh.address, "clerk", agency="H19.04")
    agency = d.accounts.show("stttt@dongnai.gov.vn")
    return People(installation.mailstore, an.id, binh.id, agency.id, agency.address, binh.address)
