"""``congvu demo``: build the sample province in a data folder, alive with a month of use.

It creates the installation (SQLite in the folder), the agency tree with roll-out waves, a few hundred people
with realistic names (among them the directives' own signers, whose names collide: Trần Văn Vinh and Trần Văn
Vĩnh), clerks for every agency mailbox, leaders, groups that follow the tree and a few demo logins; then the
month that ends today: mail between people and agencies (:mod:`congvu.demo.mail_traffic`), official documents in
every state (:mod:`congvu.demo.correspondence`, signed with a demo certification authority) and sign-ins and
inbox checks on working days (:mod:`congvu.demo.activity`).

Everything is drawn from one seeded generator: the same seed and moment give the same province (keys and
signatures aside). People other than the demo logins get no password (as after a bulk import), which keeps the
build to seconds.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from congvu.config.settings import DataDir
from congvu.demo.activity import ActivitySummary, User, record_month
from congvu.demo.certificates import PASSPHRASE, make_authority
from congvu.demo.correspondence import Correspondence, CorrespondenceSummary
from congvu.demo.mail_traffic import MailTraffic, TrafficSummary, mailbox_of
from congvu.demo.names import random_name
from congvu.demo.province import PROVINCE_CODE, WAVES, SampleAgency, sample_agencies
from congvu.demo.timeline import DemoClock, at, vietnam_day, working_days
from congvu.directory import addresses
from congvu.directory.models import Account, AgencyLevel, Role
from congvu.documents.models import Signer
from congvu.documents.service import documents_for
from congvu.installation import Installation, create_installation

DEMO_DOMAIN = "dongnai.gov.vn"
DEMO_PASSWORD = "CongVu@2026"  # demo only: printed on the console for the quick start
MESSAGES = 320

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
_SIGNING_AGENCIES = ("H19", "H19.04")  # agencies given a demo signing certificate


def demo_logins(domain: str) -> list[dict[str, str]]:
    return [
        {"role": "Quản trị cấp tỉnh", "address": f"admin@{domain}", "password": DEMO_PASSWORD},
        {"role": "Lãnh đạo (PCT UBND tỉnh)", "address": f"vinhtv@{domain}", "password": DEMO_PASSWORD},
        {"role": "Văn thư Sở TT&TT", "address": f"lannt@{domain}", "password": DEMO_PASSWORD},
        {"role": "Quản trị Sở TT&TT", "address": f"tanlm@{domain}", "password": DEMO_PASSWORD},
    ]


@dataclass(frozen=True)
class DemoSummary:
    people: int
    mail: TrafficSummary
    documents: CorrespondenceSummary
    activity: ActivitySummary


def _people(inst: Installation, agencies: list[SampleAgency], rng: random.Random, count: int) -> None:
    """The named people (with the demo password), then ``count`` others drawn at random, in one transaction."""
    directory = inst.directory
    for full_name, code, unit, position, role in _NAMED:
        directory.accounts.add(full_name=full_name, agency=code, unit=unit, position=position,
                               password=DEMO_PASSWORD, roles=[role.value] if role else (), actor="demo")
    weights = {"province": 6, "department": 10, "district": 6, "division": 2, "commune": 2}
    pool = [a for a in agencies for _ in range(weights[a.level])]
    clerks_done: set[str] = {"H19.04"}
    leaders_done: set[str] = {"H19"}
    grants: list[tuple[str, str, str]] = []
    with inst.db.begin() as conn:
        ids = {a.code: a for a in directory.agencies.tree(conn)}
        taken = addresses.taken_addresses(conn, datetime.now(UTC))
        for _ in range(max(0, count - len(_NAMED))):
            agency = rng.choice(pool)
            if agency.code not in leaders_done:
                position, role = _LEADERS[agency.level][0], Role.LEADER.value
                leaders_done.add(agency.code)
            elif agency.code not in clerks_done:
                position, role = "Văn thư", Role.CLERK.value
                clerks_done.add(agency.code)
            else:
                position, role = rng.choice((_LEADERS[agency.level][1], *_STAFF)), ""
            unit = rng.choice(agency.units) if agency.units else None
            phone = f"0251{rng.randrange(3_800_000, 3_999_999)}"
            name = random_name(rng)
            address = directory.accounts.propose_address(conn, name, agency_short=agency.short_name, taken=taken)
            taken.add(address)
            directory.accounts.insert_person(conn, full_name=name, agency_id=ids[agency.code].id, address=address,
                                             unit=unit, position=position, phone=phone, password=None)
            if role:
                grants.append((address, role, agency.code))
    for address, role, code in grants:
        directory.accounts.grant(address, role, agency=code, actor="demo")


def _groups(inst: Installation) -> None:
    directory = inst.directory
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


def _signers(people: list[Account], agencies: list[SampleAgency], rng: random.Random) -> dict[str, Signer]:
    """Who signs for each agency: its leader in the directory, or a name drawn for agencies that have none."""
    found: dict[str, Signer] = {}
    for person in people:
        if person.agency_code and any(g.role == Role.LEADER for g in person.roles):
            found.setdefault(person.agency_code, Signer(person.full_name[:50], person.position or "Giám đốc"))
    for agency in agencies:
        found.setdefault(agency.code, Signer(random_name(rng), _LEADERS[agency.level][0]))
    return found


def _mail(inst: Installation, rng: random.Random, days: list[date], latest: datetime,
          people: list[Account]) -> TrafficSummary:
    offices = [mailbox_of(a, official=True) for a in inst.directory.accounts.list(kind="agency")]
    by_level: dict[str, list[str]] = {}
    for agency in inst.directory.agencies.list():
        by_level.setdefault(agency.level.value, []).append(agency.code)
    groups = [(label, f"{local}@{DEMO_DOMAIN}", [o for o in offices if o.agency in set(by_level.get(level, ()))])
              for label, local, level in (("Các sở, ban, ngành", "cacso", "department"),
                                          ("UBND các huyện, thị xã, thành phố", "ubndhuyen", "district"))]
    boxes = [mailbox_of(p) for p in people]
    featured_addresses = {f"{x}@{DEMO_DOMAIN}" for x in ("vinhtv", "lannt", "tanlm")}
    featured = [b for b in boxes if b.address in featured_addresses]
    featured += [o for o in offices if o.address == f"stttt@{DEMO_DOMAIN}"]
    featured.append(mailbox_of(inst.directory.accounts.show(f"admin@{DEMO_DOMAIN}")))
    traffic = MailTraffic(inst.mailstore, rng, domain=DEMO_DOMAIN, days=days, latest=latest, people=boxes,
                          offices=[o for o in offices if o.agency in {"H19", "H19.01", "H19.04", "H19.18"}],
                          featured=featured)
    return traffic.deliver(traffic.plan(MESSAGES, groups), today=days[-1])


def _documents(inst: Installation, rng: random.Random, days: list[date], people: list[Account],
               agencies: list[SampleAgency]) -> CorrespondenceSummary:
    clock = DemoClock()
    docs = documents_for(inst, clock=clock.now)
    authority = make_authority(since=at(days[0], 0) - timedelta(days=30))
    docs.trust.add(authority.pem, name="CA mẫu của CôngVụ", actor="demo")
    names = {a.code: a.name for a in agencies}
    for code in _SIGNING_AGENCIES:
        docs.profiles.set_signing_key(code, authority.agency_pkcs12(names[code], code, since=at(days[0], 0)
                                                                    - timedelta(days=30)), PASSPHRASE, actor="demo")
    for agency in agencies:
        if agency.level in ("province", "department"):
            docs.profiles.set_place(agency.code, "Biên Hòa", actor="demo")
    units = {a.code: a.units for a in agencies}
    return Correspondence(docs, clock, rng, days=days, signers=_signers(people, agencies, rng), units=units).run()


def build_demo(data: DataDir, *, people: int = 300, seed: int = 2010, now: datetime | None = None) -> DemoSummary:
    """Build the province in ``data``; the month ends at ``now`` (default: the present)."""
    created = create_installation(data, domain=DEMO_DOMAIN, org_name="Ủy ban nhân dân tỉnh Đồng Nai",
                                  admin_password=DEMO_PASSWORD)
    inst = created.installation
    directory = inst.directory
    rng = random.Random(seed)
    moment = now or datetime.now(UTC)
    day = vietnam_day(moment)
    try:
        for number, name, starts in WAVES:
            directory.agencies.set_wave(number, name=name, starts_on=starts, actor="demo")
        agencies = sample_agencies()
        for order, agency in enumerate(agencies):  # the directives' own order, not alphabetical
            directory.agencies.add(code=agency.code, name=agency.name, short_name=agency.short_name,
                                   level=agency.level, parent=agency.parent, wave=agency.wave, sort_order=order,
                                   actor="demo")
        _people(inst, agencies, rng, people)
        _groups(inst)
        everyone = directory.accounts.list()
        days = working_days(day)
        latest = min(moment, at(day, 17, 0))
        mail = _mail(inst, rng, days, latest, everyone)
        past = [d for d in days if d < day] or days
        documents = _documents(inst, rng, past, everyone, agencies)
        eager = {p.id for p in everyone if any(g.role in (Role.LEADER, Role.CLERK) for g in p.roles)}
        users = [User(p.id, p.id in eager) for p in everyone]
        activity = record_month(inst.db, users, days, rng, latest=latest)
        return DemoSummary(len(everyone), mail, documents, activity)
    finally:
        inst.close()
