"""A month of official documents in the sample province, made through the document services.

Documents are issued (numbered, signed for the agencies that have a certificate, sent inside the installation)
and handled by the receiving clerks as NĐ 30/2020/NĐ-CP Điều 21–24 describe: arrived (01), registered (03),
assigned (04), in progress (05), done (06), refused (02); one document is recalled (13, answered 15 by some
recipients), a Quyết định is published on the notices page, one document stays a draft. The Sở Thông tin và
Truyền thông (the demo clerk's agency) ends up with incoming documents in every state.

Every step runs at its moment of the month: the services read :class:`congvu.demo.timeline.DemoClock`, and the
steps are taken in time order so register numbers and số đến follow the dates, as in a real register.
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from congvu.demo.pdf import make_pdf
from congvu.demo.timeline import DemoClock, at
from congvu.documents.models import DraftInput, FileInput, Signer
from congvu.documents.service import DocumentService

INSTRUCTIONS = ("Chủ trì, tham mưu thực hiện", "Nghiên cứu, đề xuất", "Phối hợp thực hiện",
                "Tổng hợp, báo cáo lãnh đạo", "Theo dõi, đôn đốc")
# The final state of each recipient, taken in turn (01 arrived … 06 done, 02 refused).
MOSTLY_DONE = ("06", "06", "05", "06", "04", "06", "03", "05", "06", "01")
MOSTLY_NEW = ("03", "01", "04", "03", "01")
PROGRESSION = {"01": (), "02": ("02",), "03": ("03",), "04": ("03", "04"), "05": ("03", "04", "05"),
               "06": ("03", "04", "05", "06")}
STEP_TIME = {"02": (9, 10), "03": (8, 40), "04": (10, 15), "05": (14, 0), "06": (15, 30)}
STEP_DAYS = {"02": 0, "03": 0, "04": 1, "05": 2, "06": 4}


@dataclass(frozen=True)
class Letter:
    key: str
    ago: int  # working days before the last one
    agency: str
    doc_type: str
    subject: str
    unit: str | None = None
    kinh_gui: tuple[str, ...] = ()
    noi_nhan: tuple[str, ...] = ()
    fates: tuple[str, ...] = MOSTLY_DONE
    fate_for: tuple[tuple[str, str], ...] = ()  # (agency code, final state) overriding ``fates``
    signer: str = "leader"  # "leader" of the agency, or a named person
    content: str = ""


@dataclass(frozen=True)
class CorrespondenceSummary:
    outgoing: dict[str, int]
    incoming: dict[str, int]
    recalled: str
    published: str
    drafts: int


@dataclass(order=True)
class _Step:
    when: datetime
    order: int
    run: Callable[[], object] = field(compare=False)


def letters(year: int) -> tuple[Letter, ...]:
    """The month's documents (agency codes of :mod:`congvu.demo.province`; H19.04 is the Sở TT&TT)."""
    return (
        Letter("cv-thu-cong-vu", 19, "H19", "cong_van",
               "V/v tăng cường sử dụng hệ thống thư điện tử công vụ trong hoạt động của cơ quan nhà nước",
               unit="TTTH", kinh_gui=("Các sở, ban, ngành", "UBND các huyện, thị xã, thành phố"),
               signer="Trần Văn Vinh", fate_for=(("H19.04", "06"),)),
        Letter("qd-quy-che", 17, "H19", "quyet_dinh",
               "Ban hành Quy chế quản lý, sử dụng hệ thống thư điện tử công vụ tỉnh Đồng Nai",
               noi_nhan=("Các sở, ban, ngành (để thực hiện)", "UBND các huyện, thị xã, thành phố (để thực hiện)",
                         "Lưu: VT, TTTH"), signer="Trần Văn Vinh", fates=("03", "04", "03", "06")),
        Letter("kh-van-ban-dien-tu", 15, "H19.04", "ke_hoach",
               f"Triển khai hệ thống gửi, nhận văn bản điện tử năm {year}",
               kinh_gui=("UBND các huyện, thị xã, thành phố",)),
        Letter("cv-cu-can-bo", 13, "H19.18", "cong_van",
               "V/v cử công chức tham dự lớp bồi dưỡng kiến thức quản lý nhà nước", unit="CCVC",
               kinh_gui=("H19.04",), fates=("06",)),
        Letter("cv-gop-y-ke-hoach", 11, "H19.05", "cong_van",
               "V/v góp ý dự thảo Kế hoạch ứng dụng công nghệ thông tin giai đoạn 2026–2030", unit="KTN",
               kinh_gui=("H19.04", "H19.12"), fate_for=(("H19.04", "05"), ("H19.12", "04"))),
        Letter("bc-bien-hoa", 9, "H19.30", "bao_cao",
               "Tình hình sử dụng thư điện tử công vụ trên địa bàn thành phố Biên Hòa",
               kinh_gui=("H19.04",), fates=("04",)),
        Letter("tb-ket-luan", 7, "H19.01", "thong_bao",
               "Kết luận của Phó Chủ tịch UBND tỉnh Trần Văn Vinh tại buổi làm việc với Sở Thông tin và Truyền thông",
               kinh_gui=("H19.04",), fates=("03",)),
        Letter("cv-don-doc", 5, "H19.04", "cong_van",
               "V/v đôn đốc cấp tài khoản thư điện tử công vụ cho cán bộ cấp xã", unit="CNTT",
               kinh_gui=("H19.30", "H19.31", "H19.32"), fates=("03", "01", "01")),
        Letter("cv-don-doc-thay-the", 4, "H19.04", "cong_van",
               "V/v đôn đốc cấp tài khoản thư điện tử công vụ cho cán bộ cấp xã (thay thế văn bản đã thu hồi)",
               unit="CNTT", kinh_gui=("H19.30", "H19.31", "H19.32"), fates=MOSTLY_NEW),
        Letter("cv-nham-noi-nhan", 3, "H19.13", "cong_van",
               "V/v đề nghị cung cấp hồ sơ dự án đầu tư xây dựng trụ sở làm việc", unit="QLXD",
               kinh_gui=("H19.04",), fates=("02",)),
        Letter("ttr-ke-hoach", 2, "H19.04", "to_trinh",
               f"Đề nghị phê duyệt Kế hoạch bảo đảm an toàn thông tin năm {year + 1}",
               kinh_gui=("H19",), fates=("04",)),
        Letter("cv-ho-so-suc-khoe", 1, "H19.19", "cong_van",
               "V/v phối hợp triển khai hồ sơ sức khỏe điện tử", unit="NVY", kinh_gui=("H19.04",), fates=("01",)),
        Letter("cv-nhiem-vu-khcn", 0, "H19.03", "cong_van",
               f"V/v đề xuất nhiệm vụ khoa học và công nghệ năm {year + 1}", unit="QLKH", kinh_gui=("H19.04",),
               fates=("01",)),
    )


RECALLED = "cv-don-doc"
PUBLISHED = "qd-quy-che"


class Correspondence:
    def __init__(self, docs: DocumentService, clock: DemoClock, rng: random.Random, *, days: Sequence[date],
                 signers: dict[str, Signer], units: dict[str, tuple[str, ...]]) -> None:
        self.docs = docs
        self.clock = clock
        self.rng = rng
        self.days = list(days)
        self.signers = signers
        self.units = units
        self.issued: dict[str, str] = {}  # letter key → DocumentId
        self._steps: list[_Step] = []  # a heap: issuing a document schedules its recipients' steps
        self._order = 0

    def _day(self, ago: int, later: int = 0) -> date:
        index = len(self.days) - 1 - ago + later
        return self.days[max(0, min(index, len(self.days) - 1))]

    def _add(self, when: datetime, run: Callable[[], object]) -> None:
        self._order += 1
        heapq.heappush(self._steps, _Step(when, self._order, run))

    def _draft(self, letter: Letter) -> DraftInput:
        signer = self.signers[letter.agency] if letter.signer == "leader" else \
            Signer(letter.signer, "Phó Chủ tịch", "KT. CHỦ TỊCH")
        day = self._day(letter.ago)
        lines = [letter.subject, "", f"Ngay {day.strftime('%d/%m/%Y')}", "",
                 "Van ban mau cua tinh Dong Nai (du lieu thu nghiem)."]
        return DraftInput(agency=letter.agency, doc_type=letter.doc_type, subject=letter.subject,
                          signer=signer, drafting_unit=letter.unit, kinh_gui=letter.kinh_gui,
                          noi_nhan=letter.noi_nhan, content=letter.content,
                          main_file=FileInput(f"{letter.key}.pdf", make_pdf(lines)),
                          due_date=day + timedelta(days=14) if letter.doc_type == "cong_van" else None)

    def plan(self) -> None:
        for number, letter in enumerate(letters(self._day(0).year)):
            issue_at = at(self._day(letter.ago), 7, 45) + timedelta(minutes=3 * number)
            self._add(issue_at, lambda letter=letter: self._issue(letter))
        recall_day = self._day(next(x.ago for x in letters(self._day(0).year) if x.key == RECALLED), 1)
        self._add(at(recall_day, 9, 0), lambda: self.docs.recall(
            self.issued[RECALLED], reason="Văn bản có sai sót về số liệu, sẽ ban hành văn bản thay thế",
            actor="demo"))
        self._add(at(recall_day, 14, 0), lambda: self._answer_recalls())
        published_day = self._day(next(x.ago for x in letters(self._day(0).year) if x.key == PUBLISHED), 1)
        self._add(at(published_day, 16, 0), lambda: self.docs.publisher.publish(self.issued[PUBLISHED],
                                                                                actor="demo"))

    def _issue(self, letter: Letter) -> None:
        doc = self.docs.issue(self._draft(letter), actor="demo")
        document_id = doc.document_id or ""
        self.issued[letter.key] = document_id
        overrides = dict(letter.fate_for)
        issue_day = self._day(letter.ago)
        for index, recipient in enumerate(doc.recipients):
            final = overrides.get(recipient.agency, letter.fates[index % len(letter.fates)])
            for code in PROGRESSION[final]:
                hour, minute = STEP_TIME[code]
                day = self._day(letter.ago, STEP_DAYS[code] + (1 if code != "02" and index % 3 == 1 else 0))
                moment = at(max(day, issue_day), hour, minute + index % 15)
                self._add(moment, lambda agency=recipient.agency, code=code, d=document_id: self._step(agency, d,
                                                                                                    code))

    def _step(self, agency: str, document_id: str, code: str) -> None:
        entry = self.docs.incoming.find(agency, document_id)
        if entry.cancelled or entry.status == "13":
            return
        actor = "demo"
        if code == "02":
            self.docs.reject(entry.id, reason="Văn bản gửi nhầm nơi nhận, đề nghị gửi Sở Kế hoạch và Đầu tư",
                             actor=actor)
        elif code == "03":
            self.docs.register(entry.id, actor=actor)
        elif code == "04":
            units = self.units.get(agency) or ("Văn phòng",)
            self.docs.assign(entry.id, to_unit=self.rng.choice(units), instruction=self.rng.choice(INSTRUCTIONS),
                             deadline=self.clock.now().date() + timedelta(days=10), actor=actor)
        elif code == "05":
            self.docs.start(entry.id, note="Đang nghiên cứu, xử lý", actor=actor)
        else:
            self.docs.done(entry.id, note="Đã hoàn thành, báo cáo kết quả", actor=actor)

    def _answer_recalls(self) -> None:
        document_id = self.issued[RECALLED]
        for n, recipient in enumerate(self.docs.outgoing.get(document_id).recipients):
            if n == len(self.docs.outgoing.get(document_id).recipients) - 1:
                continue  # the last one has not answered yet: it still shows "đề nghị thu hồi"
            entry = self.docs.incoming.find(recipient.agency, document_id)
            self.docs.answer_recall(entry.id, accept=True, note="Đồng ý thu hồi, đã hủy văn bản", actor="demo")

    def run(self, *, draft_agency: str = "H19.04") -> CorrespondenceSummary:
        self.plan()
        while self._steps:
            step = heapq.heappop(self._steps)
            self.clock.set(step.when)
            step.run()
        self.clock.set(at(self._day(0), 16, 30))
        draft = DraftInput(
            agency=draft_agency, doc_type="bao_cao", signer=self.signers[draft_agency],
            subject=f"Kết quả triển khai hệ thống thư điện tử công vụ năm {self._day(0).year}", kinh_gui=("H19",),
            main_file=FileInput("bao-cao-du-thao.pdf", make_pdf(["Du thao bao cao", "Chua ban hanh"])))
        self.docs.outgoing.draft(draft, actor="demo")
        return self.summary()

    def summary(self) -> CorrespondenceSummary:
        outgoing: dict[str, int] = {}
        incoming: dict[str, int] = {}
        for agency in sorted(self.signers):
            for doc in self.docs.outgoing.list(agency):
                outgoing[doc.state.value] = outgoing.get(doc.state.value, 0) + 1
            for entry in self.docs.incoming.list(agency):
                key = "cancelled" if entry.cancelled else entry.status
                incoming[key] = incoming.get(key, 0) + 1
        return CorrespondenceSummary(outgoing, incoming, self.issued[RECALLED], self.issued[PUBLISHED],
                                     outgoing.get("draft", 0))
