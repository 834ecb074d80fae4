"""A month of official mail in the sample province, delivered through the mail store as the SMTP server would.

People write to colleagues and to other agencies; clerks send invitations and notices from the agency mailboxes
to the departments or the districts; some mails are answered. Every message is a real RFC 5322 message built by
:func:`congvu.mail.compose.build_message` (Vietnamese subjects and bodies, some with a PDF or a CSV attached),
dated on a working day of the month, delivered to its recipients' INBOX and to the sender's Sent folder. Older
mail is mostly read, recent mail mostly not; a few messages are flagged, answered ones carry ``\\Answered``.
Everything is drawn from the seeded generator, so one seed gives the same traffic.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from congvu.demo.pdf import make_pdf
from congvu.demo.timeline import office_moment
from congvu.directory.models import Account
from congvu.mail.compose import Attachment, build_message
from congvu.mailstore.api import ANSWERED, FLAGGED, SEEN, FlagMode, MailStoreApi, SpecialUse

PERSONAL_SUBJECTS = (
    "Lịch công tác tuần {week} của {unit}",
    "Góp ý dự thảo Quy chế quản lý, sử dụng hệ thống thư điện tử công vụ",
    "Đề nghị cung cấp số liệu báo cáo tháng {month}/{year}",
    "Tổng hợp danh sách cán bộ tham gia lớp tập huấn",
    "Kế hoạch kiểm tra công tác văn thư, lưu trữ năm {year}",
    "Báo cáo kết quả thực hiện nhiệm vụ tháng {month}",
    "Xin ý kiến về nội dung tờ trình gửi UBND tỉnh",
    "Gửi tài liệu phục vụ cuộc họp ngày {day}",
    "Thông tin lớp bồi dưỡng kỹ năng ứng dụng công nghệ thông tin",
    "Phối hợp rà soát thủ tục hành chính thuộc thẩm quyền giải quyết",
    "Cập nhật danh bạ thư điện tử công vụ của đơn vị",
    "Hướng dẫn cài đặt thư điện tử công vụ trên điện thoại",
    "Đề xuất mua sắm trang thiết bị công nghệ thông tin năm {year}",
    "Nhắc lịch họp giao ban sáng thứ Hai",
    "Số liệu giải ngân vốn đầu tư công đến ngày {day}",
    "Chuyển tiếp ý kiến của lãnh đạo về việc triển khai phần mềm một cửa",
    "Đăng ký nhu cầu đào tạo, bồi dưỡng năm {year}",
)
OFFICIAL_SUBJECTS = (
    "Giấy mời họp triển khai hệ thống gửi, nhận văn bản điện tử",
    "Thông báo lịch tiếp công dân định kỳ tháng {month}",
    "V/v báo cáo tình hình sử dụng thư điện tử công vụ quý {quarter}",
    "V/v đôn đốc cập nhật thông tin cán bộ lên danh bạ điện tử",
    "Thông báo nghỉ lễ và phân công trực cơ quan",
    "V/v cung cấp thông tin phục vụ xây dựng Cổng thông tin điện tử tỉnh",
)
PARAGRAPHS = (
    "Thực hiện chỉ đạo của lãnh đạo đơn vị, tôi xin gửi {you} nội dung để nghiên cứu, cho ý kiến trước ngày {due}.",
    "Đề nghị {you} rà soát, bổ sung số liệu của đơn vị mình và gửi lại qua hộp thư công vụ này.",
    "Kèm theo thư là tài liệu liên quan; nếu có vướng mắc xin liên hệ qua điện thoại để trao đổi thêm.",
    "Nội dung đã được thống nhất tại cuộc họp giao ban; đề nghị các bộ phận phối hợp triển khai.",
    "Xin cảm ơn {you} đã phối hợp trong thời gian qua.",
    "Để kịp tổng hợp báo cáo UBND tỉnh, rất mong nhận được phản hồi sớm.",
)
REPLIES = (
    "Tôi đã nhận được thư và sẽ phản hồi trước ngày {due}.",
    "Thống nhất với nội dung đề xuất. Đề nghị gửi bản hoàn chỉnh để trình lãnh đạo.",
    "Đơn vị tôi đã cập nhật số liệu theo yêu cầu, xin gửi lại để tổng hợp.",
    "Cảm ơn anh/chị, tôi sẽ chuyển nội dung cho bộ phận chuyên môn xử lý.",
)


@dataclass(frozen=True)
class Mailbox:
    id: int
    address: str
    name: str
    agency: str | None
    agency_name: str
    position: str
    official: bool = False  # an agency mailbox, written by its clerk


@dataclass
class _Spec:
    sender: Mailbox
    to: list[Mailbox]
    to_header: list[tuple[str, str]]
    subject: str
    text: str
    when: datetime
    message_id: str
    attachments: tuple[Attachment, ...] = ()
    in_reply_to: str | None = None
    replied_by: list[tuple[int, str]] = field(default_factory=list)  # (replier id, reply id): \Answered


@dataclass(frozen=True)
class TrafficSummary:
    messages: int
    deliveries: int
    with_attachments: int
    replies: int


def mailbox_of(account: Account, *, official: bool = False) -> Mailbox:
    return Mailbox(account.id, account.address, account.full_name, account.agency_code, account.agency_name or "",
                   account.position or "", official)


def _you(box: Mailbox) -> str:
    return "quý cơ quan" if box.official else "anh/chị"


class MailTraffic:
    """Writes the month's mail of the sample province into the mail store."""

    def __init__(self, store: MailStoreApi, rng: random.Random, *, domain: str, days: Sequence[date],
                 latest: datetime, people: Sequence[Mailbox], offices: Sequence[Mailbox],
                 featured: Sequence[Mailbox]) -> None:
        self.store = store
        self.rng = rng
        self.domain = domain
        self.days = list(days)
        self.latest = latest  # nothing is dated after this (the build runs during office hours too)
        self.people = list(people)
        self.offices = list(offices)
        self.featured = list(featured)  # the demo logins: they write and get a good share of the mail

    def _fill(self, template: str, when: datetime, *, unit: str = "", you: str = "") -> str:
        day = when.date()
        return template.format(week=day.isocalendar().week, unit=unit or "phòng", month=day.month, year=day.year,
                               day=day.strftime("%d/%m"), quarter=(day.month - 1) // 3 + 1,
                               due=(day + timedelta(days=5)).strftime("%d/%m/%Y"), you=you)

    def _moment(self) -> datetime:
        when = office_moment(self.rng.choice(self.days), self.rng)
        return when if when <= self.latest else self.latest - timedelta(minutes=self.rng.randrange(5, 240))

    def _message_id(self, number: int) -> str:
        return f"<demo.{number:05d}.{self.rng.getrandbits(48):012x}@{self.domain}>"

    def _attachments(self, subject: str, when: datetime) -> tuple[Attachment, ...]:
        roll = self.rng.random()
        if roll < 0.18:
            lines = [subject, f"Ngay {when.strftime('%d/%m/%Y')}", "", "Noi dung chi tiet theo tai lieu dinh kem."]
            return (Attachment(f"tai-lieu-{when.strftime('%Y%m%d')}.pdf", "application/pdf", make_pdf(lines)),)
        if roll < 0.28:
            listed = self.rng.sample(self.people, min(5, len(self.people)))
            rows = ["STT,Họ và tên,Đơn vị,Ghi chú"] + [
                f"{i},{p.name},\"{p.agency_name}\"," for i, p in enumerate(listed, 1)]
            data = "\ufeff" + "\r\n".join(rows) + "\r\n"
            return (Attachment("danh-sach.csv", "text/csv", data.encode("utf-8")),)
        return ()

    def _body(self, sender: Mailbox, to: Sequence[Mailbox], when: datetime, greeting: str) -> str:
        you = _you(to[0]) if len(to) == 1 else "các đồng chí"
        chosen = self.rng.sample(PARAGRAPHS, 2)
        lines = [f"Kính gửi {greeting},"] + [self._fill(p, when, you=you) for p in chosen]
        signature = sender.agency_name if sender.official else \
            f"{sender.name}\n{sender.position} – {sender.agency_name}"
        return "\n\n".join(lines) + f"\n\nTrân trọng,\n{signature}\n"

    def _personal(self, number: int) -> _Spec:
        rng = self.rng
        sender = rng.choice(self.featured) if rng.random() < 0.2 else rng.choice(self.people)
        same = [p for p in self.people if p.agency == sender.agency and p.id != sender.id]
        pool = same if same and rng.random() < 0.55 else self.people
        to = [p for p in rng.sample(pool, min(len(pool), rng.choice((1, 1, 1, 2, 3)))) if p.id != sender.id]
        if rng.random() < 0.3:
            extra = rng.choice(self.featured)
            if extra.id != sender.id and extra not in to:
                to.append(extra)
        if not to:
            to = [next(p for p in self.people if p.id != sender.id)]
        when = self._moment()
        subject = self._fill(rng.choice(PERSONAL_SUBJECTS), when, unit=sender.agency_name)
        greeting = to[0].name.rsplit(" ", 1)[-1] if len(to) == 1 else "anh/chị"
        greeting = f"anh/chị {greeting}" if len(to) == 1 else greeting
        return _Spec(sender, to, [(p.name, p.address) for p in to], subject, self._body(sender, to, when, greeting),
                     when, self._message_id(number), self._attachments(subject, when))

    def _official(self, number: int, groups: Sequence[tuple[str, str, list[Mailbox]]]) -> _Spec:
        rng = self.rng
        sender = rng.choice(self.offices)
        label, address, members = rng.choice(groups)
        to = [m for m in members if m.id != sender.id]
        when = self._moment()
        subject = self._fill(rng.choice(OFFICIAL_SUBJECTS), when)
        lines = [subject, f"{sender.agency_name}", when.strftime("%d/%m/%Y")]
        attachment = Attachment(f"van-ban-{number:04d}.pdf", "application/pdf", make_pdf(lines))
        return _Spec(sender, to, [(label, address)], subject, self._body(sender, to, when, label.lower()), when,
                     self._message_id(number), (attachment,))

    def _reply(self, number: int, original: _Spec) -> _Spec | None:
        people = [p for p in original.to if not p.official]
        if not people:
            return None
        rng = self.rng
        replier = rng.choice(people)
        when = original.when + timedelta(minutes=rng.randrange(20, 60 * 26))
        if when > self.latest or when.date().weekday() >= 5:
            return None
        answer = self._fill(rng.choice(REPLIES), when)
        text = f"Kính gửi {_you(original.sender)},\n\n{answer}\n\nTrân trọng,\n{replier.name}\n"
        subject = original.subject if original.subject.startswith("Re: ") else f"Re: {original.subject}"
        spec = _Spec(replier, [original.sender], [(original.sender.name, original.sender.address)], subject, text,
                     when, self._message_id(number), in_reply_to=original.message_id)
        original.replied_by.append((replier.id, spec.message_id))
        return spec

    def plan(self, count: int, groups: Sequence[tuple[str, str, list[Mailbox]]]) -> list[_Spec]:
        specs: list[_Spec] = []
        for number in range(count):
            roll = self.rng.random()
            if roll < 0.16 and specs:
                reply = self._reply(number, self.rng.choice(specs))
                if reply is not None:
                    specs.append(reply)
                    continue
            if roll < 0.26 and groups and self.offices:
                specs.append(self._official(number, groups))
            else:
                specs.append(self._personal(number))
        return sorted(specs, key=lambda s: s.when)

    def deliver(self, specs: Sequence[_Spec], *, today: date) -> TrafficSummary:
        """Deliver in date order (so UIDs follow arrival), then mark the answered copies."""
        copies: dict[tuple[int, str], tuple[int, int]] = {}  # (account, message id) → (folder, uid)
        deliveries = 0
        for spec in specs:
            raw = build_message(from_addr=(spec.sender.name, spec.sender.address), to=spec.to_header,
                                subject=spec.subject, text=spec.text, attachments=spec.attachments,
                                in_reply_to=spec.in_reply_to, references=[spec.in_reply_to] if spec.in_reply_to
                                else (), message_id=spec.message_id, date=spec.when)
            self.store.deliver(raw, [spec.sender.id], internal_date=spec.when, folder=SpecialUse.SENT, flags=[SEEN])
            by_flags: dict[tuple[str, ...], list[int]] = {}
            age = (today - spec.when.date()).days
            for box in spec.to:
                read = self.rng.random() < (0.9 if age > 3 else 0.35)
                flags = ((SEEN,) if read else ()) + ((FLAGGED,) if self.rng.random() < 0.07 else ())
                by_flags.setdefault(flags, []).append(box.id)
            for flags, ids in by_flags.items():
                result = self.store.deliver(raw, ids, internal_date=spec.when, flags=flags)
                deliveries += len(result.deliveries)
                for d in result.deliveries:
                    copies[(d.account_id, spec.message_id)] = (d.folder_id, d.uid)
        replies = 0
        for spec in specs:
            replies += spec.in_reply_to is not None
            for replier, _reply in spec.replied_by:
                folder_uid = copies.get((replier, spec.message_id))
                if folder_uid is not None:
                    self.store.store_flags(replier, folder_uid[0], [folder_uid[1]], FlagMode.ADD, [SEEN, ANSWERED])
        return TrafficSummary(len(specs), deliveries, sum(1 for s in specs if s.attachments), replies)
