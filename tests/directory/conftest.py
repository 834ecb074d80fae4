"""A small province tree for directory tests."""

from __future__ import annotations

import pytest

from congvu.directory.service import Directory
from congvu.installation import Installation


@pytest.fixture
def directory(installation: Installation) -> Directory:
    d = installation.directory
    d.agencies.set_wave(1, name="Đợt 1", starts_on=None)
    d.agencies.add(code="H19", name="Ủy ban nhân dân tỉnh Đồng Nai", short_name="UBND", level="province", wave=1)
    d.agencies.add(code="H19.04", name="Sở Thông tin và Truyền thông", short_name="STTTT", level="department",
                   parent="H19", wave=1)
    d.agencies.add(code="H19.18", name="Sở Nội vụ", short_name="SNV", level="department", parent="H19")
    d.agencies.add(code="H19.31", name="UBND huyện Thống Nhất", short_name="UBND", level="district",
                   parent="H19")
    d.agencies.add(code="H19.31.03", name="Phòng Tài nguyên và Môi trường", short_name="PTNMT",
                   level="division", parent="H19.31")
    d.agencies.add(code="H19.31.11", name="UBND xã Gia Kiệm", short_name="UBND", level="commune",
                   parent="H19.31")
    return d
