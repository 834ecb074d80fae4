"""The sample province's agencies, after the Đồng Nai directives (6806/UBND-TTTH, 9459/UBND-TTTH).

Agency codes follow the QĐ 20/2020 form but are illustrative: a real installation synchronises its codes from the
national directory. Waves follow 9459/UBND-TTTH: a first group from 01/12/2010, a second from 15/12/2010, then
the rest.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

PROVINCE_CODE = "H19"
WAVES: tuple[tuple[int, str, date], ...] = (
    (1, "Thí điểm đợt 1", date(2010, 12, 1)),
    (2, "Thí điểm đợt 2", date(2010, 12, 15)),
    (3, "Các đơn vị còn lại", date(2011, 3, 31)),
)


@dataclass(frozen=True)
class SampleAgency:
    code: str
    name: str
    short_name: str
    level: str
    parent: str | None
    wave: int | None
    units: tuple[str, ...] = ()


_DEPARTMENTS: tuple[tuple[str, str, int, tuple[str, ...]], ...] = (
    ("Văn phòng Ủy ban nhân dân tỉnh", "VPUBND", 1,
     ("Phòng Tổng hợp", "Trung tâm Tin học", "Phòng Hành chính - Tổ chức")),
    ("Văn phòng Đoàn ĐBQH và HĐND tỉnh", "VPĐĐBQH", 1, ("Phòng Công tác HĐND", "Phòng Hành chính")),
    ("Sở Khoa học và Công nghệ", "SKHCN", 1, ("Văn phòng", "Phòng Quản lý khoa học")),
    ("Sở Thông tin và Truyền thông", "STTTT", 1,
     ("Văn phòng", "Phòng Công nghệ thông tin", "Phòng Bưu chính, Viễn thông")),
    ("Sở Kế hoạch và Đầu tư", "SKHĐT", 1, ("Văn phòng", "Phòng Đăng ký kinh doanh")),
    ("Sở Giáo dục và Đào tạo", "SGDĐT", 1, ("Văn phòng", "Phòng Giáo dục Trung học")),
    ("Sở Tài nguyên và Môi trường", "STNMT", 1, ("Văn phòng", "Phòng Quản lý đất đai")),
    ("Sở Văn hóa, Thể thao và Du lịch", "SVHTTDL", 2, ("Văn phòng", "Phòng Quản lý văn hóa")),
    ("Sở Tư pháp", "STP", 2, ("Văn phòng", "Phòng Hành chính tư pháp")),
    ("Sở Công thương", "SCT", 2, ("Văn phòng", "Phòng Quản lý thương mại")),
    ("Sở Ngoại vụ", "SNgV", 2, ("Văn phòng",)),
    ("Sở Tài chính", "STC", 2, ("Văn phòng", "Phòng Quản lý ngân sách")),
    ("Sở Xây dựng", "SXD", 2, ("Văn phòng", "Phòng Quản lý xây dựng")),
    ("Sở Nông nghiệp và Phát triển nông thôn", "SNNPTNT", 2, ("Văn phòng", "Phòng Kế hoạch - Tài chính")),
    ("Sở Giao thông vận tải", "SGTVT", 2, ("Văn phòng", "Phòng Quản lý vận tải")),
    ("Ban Dân tộc tỉnh", "BDT", 2, ("Văn phòng",)),
    ("Thanh tra tỉnh", "TTr", 2, ("Văn phòng", "Phòng Nghiệp vụ")),
    ("Sở Nội vụ", "SNV", 3, ("Văn phòng", "Phòng Tổ chức, biên chế")),
    ("Sở Y tế", "SYT", 3, ("Văn phòng", "Phòng Nghiệp vụ Y")),
    ("Sở Lao động - Thương binh và Xã hội", "SLĐTBXH", 3, ("Văn phòng", "Phòng Việc làm")),
)

_DISTRICTS: tuple[tuple[str, int, tuple[str, ...]], ...] = (
    ("UBND thành phố Biên Hòa", 2, ("UBND phường Tân Phong", "UBND phường Trảng Dài", "UBND phường Hố Nai")),
    ("UBND huyện Thống Nhất", 1, ("UBND xã Gia Tân 1", "UBND xã Gia Kiệm", "UBND xã Quang Trung")),
    ("UBND thị xã Long Khánh", 3, ("UBND phường Xuân An", "UBND xã Bảo Vinh")),
    ("UBND huyện Trảng Bom", 3, ("UBND thị trấn Trảng Bom", "UBND xã Bắc Sơn")),
    ("UBND huyện Vĩnh Cửu", 3, ("UBND thị trấn Vĩnh An",)),
    ("UBND huyện Long Thành", 3, ("UBND thị trấn Long Thành", "UBND xã An Phước")),
    ("UBND huyện Nhơn Trạch", 3, ("UBND xã Hiệp Phước",)),
    ("UBND huyện Xuân Lộc", 3, ("UBND thị trấn Gia Ray",)),
    ("UBND huyện Định Quán", 3, ("UBND thị trấn Định Quán",)),
    ("UBND huyện Tân Phú", 3, ("UBND thị trấn Tân Phú",)),
    ("UBND huyện Cẩm Mỹ", 3, ("UBND xã Long Giao",)),
)

_DISTRICT_OFFICES: tuple[tuple[str, str], ...] = (
    ("Văn phòng HĐND và UBND", "VP"),
    ("Phòng Nội vụ", "PNV"),
    ("Phòng Tài nguyên và Môi trường", "PTNMT"),
    ("Phòng Văn hóa và Thông tin", "PVHTT"),
)


def sample_agencies() -> list[SampleAgency]:
    out = [SampleAgency(PROVINCE_CODE, "Ủy ban nhân dân tỉnh Đồng Nai", "UBND", "province", None, 1,
                        ("Lãnh đạo UBND tỉnh",))]
    for index, (name, short, wave, units) in enumerate(_DEPARTMENTS, start=1):
        out.append(SampleAgency(f"{PROVINCE_CODE}.{index:02d}", name, short, "department", PROVINCE_CODE, wave,
                                units))
    for d_index, (name, wave, communes) in enumerate(_DISTRICTS, start=30):
        district_code = f"{PROVINCE_CODE}.{d_index:02d}"
        out.append(SampleAgency(district_code, name, "UBND", "district", PROVINCE_CODE, wave,
                                ("Văn phòng HĐND và UBND",)))
        for o_index, (office, short) in enumerate(_DISTRICT_OFFICES, start=1):
            out.append(SampleAgency(f"{district_code}.{o_index:02d}", office, short, "division", district_code,
                                    wave))
        for c_index, commune in enumerate(communes, start=11):
            out.append(SampleAgency(f"{district_code}.{c_index:02d}", commune, "UBND", "commune", district_code,
                                    wave))
    return out
