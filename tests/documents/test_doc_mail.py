"""Documents carried by official mail between two installations (two provinces), in one process.

The outbound queue of each side is replaced by a carrier that puts the message straight into the other side's
mail store and then calls that side's mail intake, as its SMTP server does after a local delivery; the network
path itself is covered by ``tests/e2e/test_doc_mail_exchange.py``.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

import pytest
from docmaterial import cong_van, province_tree

from congvu.config.settings import DataDir
from congvu.documents.mail_bridge import compose_package_mail, recognise_incoming_mail
from congvu.documents.mail_intake import BackgroundDispatch, MailIntake
from congvu.documents.service import DocumentService, documents_for
from congvu.documents.transport import PackageKind
from congvu.errors import InvalidInput, NotFound
from congvu.installation import Installation
from congvu.installation.create import create_installation
from congvu.mailstore.api import INBOX


class Carrier:
    """Mail between the two installations: delivered into the recipient's mailbox, then shown to its intake."""

    def __init__(self) -> None:
        self.sides: dict[str, tuple[Installation, MailIntake]] = {}
        self.carried: list[tuple[str, tuple[str, ...], bytes]] = []
        self.held: list[tuple[str, bytes]] | None = None  # a list: keep mail back until released

    def enqueue(self, *, mail_from: str, recipients: Sequence[str], raw: bytes, submitted_by: int | None) -> int:
        self.carried.append((mail_from, tuple(recipients), raw))
        for address in recipients:
            if self.held is not None:
                self.held.append((address, raw))
                continue
            inst, intake = self.sides[address.rpartition("@")[2]]
            deliver(inst, intake, address, raw)
        return len(self.carried)


def deliver(inst: Installation, intake: MailIntake, address: str, raw: bytes) -> None:
    account = inst.directory.accounts.show(address)
    inst.mailstore.deliver(raw, [account.id])
    intake.delivered(raw, [account.id])


def inbox(inst: Installation, address: str) -> list[bytes]:
    account = inst.directory.accounts.show(address)
    folder = inst.mailstore.find_folder(account.id, INBOX)
    return [inst.mailstore.read_raw(account.id, folder.id, m.uid)
            for m in inst.mailstore.snapshot(account.id, folder.id).messages]


@pytest.fixture
def khanh_hoa(tmp_path: Path, backend: str, request: pytest.FixtureRequest) -> Iterator[Installation]:
    url = None
    if backend == "postgresql":
        import psycopg

        base = request.getfixturevalue("pg_database")
        schema = f"t_{secrets.token_hex(6)}"
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(f'CREATE SCHEMA "{schema}"')
        url = f"{base}?options=-csearch_path%3D{schema}"
    created = create_installation(DataDir(tmp_path / "khanhhoa"), domain="khanhhoa.gov.vn",
                                  org_name="UBND tỉnh Khánh Hòa", admin_password="Quantri@2026", database_url=url)
    inst = created.installation
    inst.directory.agencies.add(code="H47", name="Ủy ban nhân dân tỉnh Khánh Hòa", short_name="UBND",
                                level="province")
    inst.directory.agencies.add(code="H47.05", name="Sở Nội vụ tỉnh Khánh Hòa", short_name="SNV",
                                level="department", parent="H47")
    try:
        yield inst
    finally:
        inst.close()


@pytest.fixture
def pair(installation: Installation, khanh_hoa: Installation,
         ) -> tuple[DocumentService, DocumentService, Carrier]:
    province_tree(installation)
    carrier = Carrier()
    dong_nai = documents_for(installation, outbound=carrier)
    other = documents_for(khanh_hoa, outbound=carrier)
    carrier.sides = {"dongnai.gov.vn": (installation, MailIntake(dong_nai)),
                     "khanhhoa.gov.vn": (khanh_hoa, MailIntake(other))}
    dong_nai.profiles.set_place("H19.01", "Biên Hòa")
    dong_nai.mail_agencies.add("H47.05", address="snv@khanhhoa.gov.vn", name="Sở Nội vụ tỉnh Khánh Hòa")
    return dong_nai, other, carrier


def test_a_document_goes_by_mail_and_statuses_come_back_the_same_way(
        pair: tuple[DocumentService, DocumentService, Carrier], khanh_hoa: Installation) -> None:
    dong_nai, other, carrier = pair
    doc = dong_nai.issue(cong_van(kinh_gui=("H19.04", "H47.05")))
    by_agency = {r.agency: r for r in doc.recipients}
    assert by_agency["H47.05"].transport == "mail" and by_agency["H47.05"].name == "Sở Nội vụ tỉnh Khánh Hòa"
    assert by_agency["H47.05"].sent_at is not None and by_agency["H47.05"].status == "01"
    assert by_agency["H19.04"].transport == "local" and by_agency["H19.04"].status == "01"
    mail_from, to, raw = carrier.carried[0]
    assert mail_from == "vpubnd@dongnai.gov.vn" and to == ("snv@khanhhoa.gov.vn",)
    assert recognise_incoming_mail(raw) == dong_nai.outgoing.package(doc.document_id or "")
    # the clerk of the receiving agency still sees the message in the agency mailbox
    assert len(inbox(khanh_hoa, "snv@khanhhoa.gov.vn")) == 1
    entry, = other.incoming.list("H47.05")
    assert entry.from_agency == "H19.01" and entry.status == "01"
    learnt, = other.mail_agencies.list()
    assert (learnt.code, learnt.address, learnt.learnt) == ("H19.01", "vpubnd@dongnai.gov.vn", True)
    assert other.register(entry.id).arrival_number == 1
    other.assign(entry.id, to_unit="Phòng Cải cách hành chính", instruction="Phối hợp thực hiện")
    status = {r.agency: r for r in dong_nai.outgoing.status(doc.document_id or "")}
    assert status["H47.05"].status == "04" and "Phối hợp" in (status["H47.05"].description or "")
    received = [e.status for e in dong_nai.statuses.history(doc.document_id or "")
                if e.direction == "received" and e.agency == "H47.05"]
    assert received == ["01", "03", "04"]
    # every status came back as mail to the issuing agency's mailbox
    assert [m for m, _, _ in carrier.carried[1:]] == ["snv@khanhhoa.gov.vn"] * 3


def test_statuses_of_one_second_arriving_out_of_order(installation: Installation, khanh_hoa: Installation) -> None:
    province_tree(installation)
    carrier = Carrier()
    dong_nai = documents_for(installation, outbound=carrier)
    moment = datetime(2026, 3, 2, 2, 30, 15, 250_000, tzinfo=UTC)
    other = documents_for(khanh_hoa, outbound=carrier, clock=lambda: moment)
    carrier.sides = {"dongnai.gov.vn": (installation, MailIntake(dong_nai)),
                     "khanhhoa.gov.vn": (khanh_hoa, MailIntake(other))}
    dong_nai.profiles.set_place("H19.01", "Biên Hòa")
    dong_nai.mail_agencies.add("H47.05", address="snv@khanhhoa.gov.vn")
    doc = dong_nai.issue(cong_van(kinh_gui=("H47.05",)))
    entry, = other.incoming.list("H47.05")
    carrier.held = []
    other.register(entry.id)
    other.assign(entry.id, to_person="Lê Văn Tám")
    held, carrier.held = carrier.held, None
    for address, raw in reversed(held):  # 04 arrives before 03, both stamped 09:30:15
        deliver(*carrier.sides["dongnai.gov.vn"], address, raw)
    status, = dong_nai.outgoing.status(doc.document_id or "")
    assert status.status == "04"
    assert [e.status for e in dong_nai.statuses.history(doc.document_id or "") if e.direction == "received"] == [
        "01", "03", "04"]


def test_a_package_arriving_twice_is_registered_once_and_ordinary_mail_is_untouched(
        pair: tuple[DocumentService, DocumentService, Carrier], khanh_hoa: Installation) -> None:
    dong_nai, other, carrier = pair
    dong_nai.issue(cong_van(kinh_gui=("H47.05",)))
    _, _, raw = carrier.carried[0]
    intake = carrier.sides["khanhhoa.gov.vn"][1]
    deliver(khanh_hoa, intake, "snv@khanhhoa.gov.vn", raw)
    assert len(other.incoming.list("H47.05")) == 1
    kept, = other.quarantine.list()
    assert kept.reason == "duplicate" and kept.transport == "mail"
    before = len(carrier.carried)
    plain = EmailMessage()
    plain["From"] = "vinhtv@dongnai.gov.vn"
    plain["To"] = "snv@khanhhoa.gov.vn"
    plain["Subject"] = "Mời họp giao ban thư điện tử công vụ"
    plain.set_content("Kính mời anh chị dự họp.\n")
    plain.add_attachment(b"<?xml version='1.0'?><bang-tinh/>", maintype="application", subtype="xml",
                         filename="lich-hop.xml")
    deliver(khanh_hoa, intake, "snv@khanhhoa.gov.vn", plain.as_bytes())
    assert inbox(khanh_hoa, "snv@khanhhoa.gov.vn")[-1].endswith(plain.as_bytes()[-40:])
    assert len(other.incoming.list("H47.05")) == 1 and len(other.quarantine.list()) == 1
    assert len(carrier.carried) == before  # nothing answered


def test_a_package_in_a_personal_mailbox_is_left_to_its_owner(
        pair: tuple[DocumentService, DocumentService, Carrier], khanh_hoa: Installation) -> None:
    dong_nai, other, carrier = pair
    dong_nai.issue(cong_van(kinh_gui=("H47.05",)))
    _, _, raw = carrier.carried[0]
    person = khanh_hoa.directory.accounts.add(full_name="Lê Văn Tám", agency="H47.05", password=None).account
    deliver(khanh_hoa, carrier.sides["khanhhoa.gov.vn"][1], person.address, raw)
    assert len(other.incoming.list("H47.05")) == 1 and other.quarantine.list() == []


def test_a_failure_on_the_documents_side_keeps_the_package(
        pair: tuple[DocumentService, DocumentService, Carrier], khanh_hoa: Installation) -> None:
    dong_nai, other, carrier = pair
    dong_nai.issue(cong_van(kinh_gui=("H47.05",)))
    _, _, raw = carrier.carried[0]

    def broken(data: bytes, *, transport: str, for_agency: str | None = None) -> object:
        raise RuntimeError("cơ sở dữ liệu đang bảo trì")

    intake = MailIntake(other)
    other.arrivals.receive = broken  # type: ignore[method-assign]
    account = khanh_hoa.directory.accounts.show("snv@khanhhoa.gov.vn")
    assert intake.delivered(raw, [account.id]) == ()
    kept, = other.quarantine.list()
    assert kept.reason == "error" and "bảo trì" in kept.message
    assert other.quarantine.package(kept.id) == recognise_incoming_mail(raw)


def test_recipients_reached_by_mail_need_an_address(installation: Installation) -> None:
    province_tree(installation)
    docs = documents_for(installation)
    docs.profiles.set_place("H19.01", "Biên Hòa")
    with pytest.raises(NotFound):
        docs.issue(cong_van(kinh_gui=("H47.05",)))
    with pytest.raises(InvalidInput):
        docs.mail_agencies.add("H19.04", address="stttt@dongnai.gov.vn")  # ours: carried inside
    with pytest.raises(InvalidInput):
        docs.mail_agencies.add("H47.05", address="khong-phai-dia-chi")
    docs.mail_agencies.add("h47.05", address="SNV@KhanhHoa.gov.vn")
    assert docs.mail_agencies.address("H47.05") == "SNV@khanhhoa.gov.vn"
    docs.mail_agencies.remove("H47.05")
    assert docs.mail_agencies.list() == []


def test_status_packages_are_named_apart() -> None:
    raw = compose_package_mail(b"<edXML xmlns='http://www.mic.gov.vn/TBT/QCVN_102_2016'/>",
                               kind=PackageKind.STATUS, document_id="H19.01,2026/01/05,01/VPUBND-TTTH",
                               sender_address="snv@khanhhoa.gov.vn", recipient_address="vpubnd@dongnai.gov.vn")
    assert b"trang-thai-01-VPUBND-TTTH.edxml" in raw
    assert recognise_incoming_mail(raw) is not None


def test_background_dispatch_runs_once_more_for_calls_made_while_it_runs() -> None:
    started, release = threading.Event(), threading.Event()
    rounds = [threading.Event(), threading.Event(), threading.Event()]
    runs: list[int] = []

    def dispatch() -> None:
        runs.append(len(runs))
        rounds[len(runs) - 1].set()
        if len(runs) == 1:
            started.set()
            release.wait(10)
            raise RuntimeError("the first round fails; the next one still runs")

    kick = BackgroundDispatch(dispatch)
    kick()
    assert started.wait(10)
    kick()
    kick()  # both calls during the first run fold into one more run
    release.set()
    assert rounds[1].wait(10)
    kick()  # after (or at the very end of) that run: one more
    assert rounds[2].wait(10)
    time.sleep(0.1)
    assert runs == [0, 1, 2]
