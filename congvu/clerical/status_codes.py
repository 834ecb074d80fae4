"""Business status codes of edXML status packages, and the life cycle of an incoming document.

The codes come from the technical guidance of the national document platform that accompanies QCVN
102:2016/BTTTT and QĐ 28/2018/QĐ-TTg: 01 đã đến, 02 từ chối tiếp nhận, 03 đã tiếp nhận (registered), 04 phân
công, 05 đang xử lý, 06 hoàn thành (sent by the receiver); 13 lấy lại (sent by the issuer), answered by 15
đồng ý or 16 từ chối. NĐ 30/2020 Điều 21.2.b–c: an invalid or misaddressed document is returned to the sender
through the system (02) and the receiver tells the sender on the same day that it arrived (01, sent
automatically).

Codes 07–12 and 14 appear nowhere; whether they are reserved is not known. :func:`normalize_status_code`
therefore accepts any two-digit code on input so that a package is never lost, while :func:`parse_status_code`
accepts only the known ones.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from congvu.errors import Conflict, InvalidInput


class StatusCode(StrEnum):
    ARRIVED = "01"
    REJECTED = "02"
    ACCEPTED = "03"
    ASSIGNED = "04"
    PROCESSING = "05"
    DONE = "06"
    RECALL_REQUESTED = "13"
    RECALL_ACCEPTED = "15"
    RECALL_REFUSED = "16"

    @property
    def info(self) -> StatusInfo:
        return STATUS_INFO[self]

    @property
    def name_vi(self) -> str:
        return STATUS_INFO[self].name_vi

    @property
    def name_en(self) -> str:
        return STATUS_INFO[self].name_en


@dataclass(frozen=True)
class StatusInfo:
    """Names and meaning of a status code; ``sent_by`` is ``receiver`` or ``sender`` (of the document)."""

    code: StatusCode
    name_vi: str
    name_en: str
    sent_by: str
    description_vi: str


STATUS_INFO: dict[StatusCode, StatusInfo] = {
    s.code: s
    for s in (
        StatusInfo(
            StatusCode.ARRIVED,
            "Đã đến",
            "Arrived",
            "receiver",
            "Phần mềm quản lý văn bản đã nhận, văn thư chưa xử lý",
        ),
        StatusInfo(
            StatusCode.REJECTED,
            "Từ chối tiếp nhận",
            "Rejected",
            "receiver",
            "Văn bản không hợp lệ hoặc gửi sai nơi nhận, trả lại nơi gửi",
        ),
        StatusInfo(
            StatusCode.ACCEPTED, "Đã tiếp nhận", "Accepted", "receiver", "Văn thư đã tiếp nhận, vào sổ"
        ),
        StatusInfo(StatusCode.ASSIGNED, "Phân công", "Assigned", "receiver", "Lãnh đạo đã phân công xử lý"),
        StatusInfo(StatusCode.PROCESSING, "Đang xử lý", "Processing", "receiver", "Văn bản đang được xử lý"),
        StatusInfo(StatusCode.DONE, "Hoàn thành", "Completed", "receiver", "Đã xử lý xong"),
        StatusInfo(
            StatusCode.RECALL_REQUESTED,
            "Lấy lại",
            "Recall requested",
            "sender",
            "Nơi gửi đề nghị lấy lại (thu hồi) văn bản",
        ),
        StatusInfo(
            StatusCode.RECALL_ACCEPTED,
            "Đồng ý lấy lại",
            "Recall accepted",
            "receiver",
            "Nơi nhận đồng ý cho lấy lại, hủy văn bản trên hệ thống",
        ),
        StatusInfo(
            StatusCode.RECALL_REFUSED,
            "Từ chối lấy lại",
            "Recall refused",
            "receiver",
            "Nơi nhận từ chối cho lấy lại",
        ),
    )
}

_TWO_DIGITS = re.compile(r"^\d{1,2}$")


def normalize_status_code(text: str | int) -> str:
    """Return any status code as two digits (``3`` → ``03``); raise InvalidInput unless it is 0–99."""
    value = str(text).strip()
    if not _TWO_DIGITS.match(value):
        raise InvalidInput(
            f"Mã trạng thái '{value}' không hợp lệ: phải là số có hai chữ số",
            message_en=f"Invalid status code '{value}': two digits expected",
            field="status_code",
        )
    return f"{int(value):02d}"


def parse_status_code(text: str | int) -> StatusCode:
    """Return the known status code; raise InvalidInput for an unknown one."""
    value = normalize_status_code(text)
    try:
        return StatusCode(value)
    except ValueError:
        raise InvalidInput(
            f"Mã trạng thái '{value}' không có trong danh mục (01–06, 13, 15, 16)",
            message_en=f"Unknown status code '{value}'",
            field="status_code",
        ) from None


def find_status_code(text: str | int) -> StatusCode | None:
    """The known status code, or None for a well-formed unknown one."""
    try:
        return parse_status_code(text)
    except InvalidInput:
        return None


# The receiver's own statuses. None is "nothing sent yet". 04 and 05 may repeat (reassignment, progress
# notes); a document may be finished without an explicit assignment. 02 and 06 end the cycle.
INCOMING_TRANSITIONS: dict[StatusCode | None, frozenset[StatusCode]] = {
    None: frozenset({StatusCode.ARRIVED, StatusCode.REJECTED}),
    StatusCode.ARRIVED: frozenset({StatusCode.REJECTED, StatusCode.ACCEPTED}),
    StatusCode.ACCEPTED: frozenset({StatusCode.ASSIGNED, StatusCode.PROCESSING, StatusCode.DONE}),
    StatusCode.ASSIGNED: frozenset({StatusCode.ASSIGNED, StatusCode.PROCESSING, StatusCode.DONE}),
    StatusCode.PROCESSING: frozenset({StatusCode.ASSIGNED, StatusCode.PROCESSING, StatusCode.DONE}),
    StatusCode.DONE: frozenset(),
    StatusCode.REJECTED: frozenset(),
    StatusCode.RECALL_REQUESTED: frozenset({StatusCode.RECALL_ACCEPTED, StatusCode.RECALL_REFUSED}),
    StatusCode.RECALL_ACCEPTED: frozenset(),
}

# The issuer may ask for a document back once it has reached the receiver and was not refused.
RECALLABLE: frozenset[StatusCode | None] = frozenset(
    {
        None,
        StatusCode.ARRIVED,
        StatusCode.ACCEPTED,
        StatusCode.ASSIGNED,
        StatusCode.PROCESSING,
        StatusCode.DONE,
    }
)


@dataclass(frozen=True)
class IncomingLifecycle:
    """The status of one incoming document at one receiver.

    ``before_recall`` remembers where the document was when the issuer asked for it back, so that a refusal
    (16) returns it there.
    """

    current: StatusCode | None = None
    before_recall: StatusCode | None = None

    @property
    def is_final(self) -> bool:
        return self.current in {StatusCode.REJECTED, StatusCode.DONE, StatusCode.RECALL_ACCEPTED}

    def allowed(self) -> frozenset[StatusCode]:
        nexts = set(INCOMING_TRANSITIONS.get(self.current, frozenset()))
        if self.current in RECALLABLE:
            nexts.add(StatusCode.RECALL_REQUESTED)
        return frozenset(nexts)

    def can_apply(self, code: StatusCode) -> bool:
        return code in self.allowed()

    def apply(self, code: StatusCode | str) -> IncomingLifecycle:
        """Return the life cycle after ``code``; raise Conflict when the step is not allowed."""
        step = code if isinstance(code, StatusCode) else parse_status_code(code)
        if not self.can_apply(step):
            here = self.current.value if self.current else "chưa có"
            raise Conflict(
                f"Không thể chuyển trạng thái từ {here} sang {step.value} ({step.name_vi})",
                message_en=f"Status {step.value} is not allowed after {here}",
                field="status_code",
            )
        if step is StatusCode.RECALL_REQUESTED:
            return IncomingLifecycle(step, self.current)
        if step is StatusCode.RECALL_REFUSED:
            return IncomingLifecycle(self.before_recall, None)
        return IncomingLifecycle(step, None)
