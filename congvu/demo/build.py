"""``congvu demo``: build the sample province in a data folder.

It creates the installation (SQLite in the folder), the agency tree with roll-out waves, a few hundred people
with realistic names (among them the directives' own signers, whose names collide: Trần Văn Vinh and Trần Văn
Vĩnh), clerks for every agency mailbox, leaders, groups that follow the tree, and a few demo logins.
"""

from __future__ import annotations

import random

from congvu.config.settings import DataDir
from congvu.demo.names import random_name
from congvu.demo.province import PROVINCE_CODE, WAVES, sample_agencies
from congvu.directory.models import AgencyLevel, Role
from congvu.installation import create_installation

DEMO_DOMAIN = "dongnai.gov.vn"
DEMO_PASSWORD = "CongVu@2026"  # demo only: printed on the console for the quick start

_LEADERS = {"province": ("Chủ tịch", "Phó Chủ tịch"), "department": ("Giám đốc", "Phó Giám đốc"),
            "district": ("Chủ tịch", "Phó Chủ tịch"), "division": ("Trưởng phòng", "Phó Trưởng phòng"),
            "commune": ("Chủ tịch", "Phó Chủ tịch")}
_STAFF = ("Chuyên viên", "Chuyên viên", "Chuyên viên chính", "Cán sự", "Kế toán")
_NAMED = (  # people from the directives, with fixed logins for the quick start
    ("Trần Văn Vinh", "H19", "Lãnh đạo UBND tỉnh", "Phó Chủ tịch", Role.LEADER),
    ("Trần Văn Vĩnh", "H19.01", "Phòng Tổng hợp", "Chuyên viên", None),
    ("Nguyễn Thị Lan", "H19.04", "Văn phòng", "Văn thư", Role.CLERK),
    ("Lê Minh Tân", "H19.04", "Phòng Công nghệ thông tin", "Trưởng phòng", Role.AGENCY_ADMIN),
)


def demo_logins(domain: str) -> list[dict[str, str]]:
    return [
        {"role": "Quản trị cấp tỉnh", "address": f"admin@{domain}", "password": DEMO_PASSWORD},
        {"role": "Lãnh đạo (PCT UBND tỉnh)", "address": f"vinhtv@{domain}", "password": DEMO_PASSWORD},
        {"role": "Văn thư Sở TT&TT", "address": f"lannt@{domain}", "password": DEMO_PASSWORD},
        {"role": "Quản trị Sở TT&TT", "address": f"tanlm@{domain}", "password": DEMO_PASSWORD},
    ]


def build_demo(data: DataDir, *, people: int = 300, seed: int = 2010) -> None:
    created = create_installation(data, domain=DEMO_DOMAIN, org_name="Ủy ban nhân dân tỉnh Đồng Nai",
                                  admin_password=DEMO_PASSWORD)
    inst = created.installation
    directory = inst.directory
    try:
        for number, name, starts in WAVES:
            directory.agencies.set_wave(number, name=name, starts_on=starts, actor="demo")
        agencies = sample_agencies()
        for order, agency in enumerate(agencies):  # the directives' own order, not alphabetical
            directory.agencies.add(code=agency.code, name=agency.name, short_name=agency.short_name,
                                   level=agency.level, parent=agency.parent, wave=agency.wave, sort_order=order,
                                   actor="demo")
        fixed_addresses = []
        for full_name, code, unit, position, role in _NAMED:
            new = directory.accounts.add(full_name=full_name, agency=code, unit=unit, position=position,
                                         password=DEMO_PASSWORD, roles=[role.value] if role else (), actor="demo")
            fixed_addresses.append(new.account.address)
        rng = random.Random(seed)
        weights = {"province": 6, "department": 10, "district": 6, "division": 2, "commune": 2}
        pool = [a for a in agencies for _ in range(weights[a.level])]
        clerks_done: set[str] = {"H19.04"}
        leaders_done: set[str] = {"H19"}
        for _ in range(max(0, people - len(_NAMED))):
            agency = rng.choice(pool)
            roles: list[str] = []
            if agency.code not in leaders_done:
                position = _LEADERS[agency.level][0]
                leaders_done.add(agency.code)
                roles.append(Role.LEADER.value)
            elif agency.code not in clerks_done:
                position = "Văn thư"
                clerks_done.add(agency.code)
                roles.append(Role.CLERK.value)
            else:
                position = rng.choice((_LEADERS[agency.level][1], *_STAFF))
            unit = rng.choice(agency.units) if agency.units else None
            phone = f"0251{rng.randrange(3_800_000, 3_999_999)}"
            directory.accounts.add(full_name=random_name(rng), agency=agency.code, unit=unit, position=position,
                                   phone=phone, roles=roles, password=None, actor="demo")
        directory.groups.add(f"cacso@{DEMO_DOMAIN}", "Các sở, ban, ngành", rule="level=department",
                             description="Hộp thư chính thức của các sở, ban, ngành", actor="demo")
        directory.groups.add(f"ubndhuyen@{DEMO_DOMAIN}", "UBND các huyện, thị xã, thành phố",
                             rule=f"level={AgencyLevel.DISTRICT.value}", actor="demo")
        directory.groups.add(f"ubndxa@{DEMO_DOMAIN}", "UBND các xã, phường, thị trấn",
                             rule=f"level={AgencyLevel.COMMUNE.value}", actor="demo")
        directory.groups.add(f"lanhdaotinh@{DEMO_DOMAIN}", "Lãnh đạo UBND tỉnh",
                             rule=f"level=province;under={PROVINCE_CODE};target=people", actor="demo")
        directory.aliases.add(f"stt@{DEMO_DOMAIN}", [f"stttt@{DEMO_DOMAIN}"],
                              description="Địa chỉ cũ của Sở TT&TT (giữ để thư cũ vẫn đến)", actor="demo")
    finally:
        inst.close()
