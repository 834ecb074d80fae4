"""The province's timetable for paper: which documents go electronic only and which also on paper, and when.

Provinces moved to electronic exchange by periods and by waves of agencies. Examples: Đồng Nai Công văn
9459/UBND-TTTH (18/11/2010) started a pilot on 01/12/2010 with a first wave of agencies and widened it on
15/12/2010; Gia Lai Công văn 1468/UBND-VHXH (28/4/2014) kept paper alongside the electronic copy for documents
sent to other agencies, except invitations, drafts and reference material, which went electronic only from
2015, and exempted documents "đã được xác thực bằng chữ ký số". QĐ 28/2018/QĐ-TTg: an electronic document
signed digitally as the law requires replaces the paper one; otherwise it is for information only.

A rule (``doc_paper_policies``) covers one type or every type, from ``starts_on`` to ``ends_on`` (exclusive),
and says ``electronic_only`` or ``electronic_and_paper``; ``signed_exempt`` lifts the paper when the document
carries the agency's digital signature. For a recipient on a day:

1. if roll-out waves are defined and the sender or the recipient has not started its wave, paper is required;
2. else the most specific rule in force decides (a rule for the type beats one for every type; then the latest
   start);
3. with no rule, a signed document goes electronic only and an unsigned one also needs paper.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Connection, func, insert, select

from congvu.clerical.doctypes import resolve_type
from congvu.documents.context import DocContext
from congvu.documents.models import PaperMode, PaperObligation, PaperRule
from congvu.errors import InvalidInput
from congvu.store.schema import rollout_waves
from congvu.store.schema_documents import doc_paper_policies
from congvu.vntext.normalize import clean_line


def _rule(row: object) -> PaperRule:
    return PaperRule(row.id, row.doc_type, row.starts_on, row.ends_on,  # type: ignore[attr-defined]
                     PaperMode(row.mode), bool(row.signed_exempt), row.note)  # type: ignore[attr-defined]


def _day(value: date) -> str:
    return value.strftime("%d/%m/%Y")


class PaperPolicy:
    def __init__(self, ctx: DocContext) -> None:
        self.ctx = ctx

    def add(self, *, doc_type: str | None, starts_on: date, ends_on: date | None, mode: str,
            signed_exempt: bool = False, note: str | None = None, actor: str = "system") -> PaperRule:
        code = resolve_type(doc_type).code if doc_type else None
        try:
            chosen = PaperMode(mode)
        except ValueError:
            raise InvalidInput(f"Chế độ '{mode}' không hợp lệ: electronic_only hoặc electronic_and_paper",
                               message_en="mode must be electronic_only or electronic_and_paper",
                               field="mode") from None
        if ends_on is not None and ends_on <= starts_on:
            raise InvalidInput("Ngày kết thúc phải sau ngày bắt đầu", message_en="ends_on must follow starts_on",
                               field="ends_on")
        text = clean_line(note, field="Ghi chú") if note else None
        with self.ctx.db.begin() as conn:
            rule_id = conn.execute(insert(doc_paper_policies).values(
                doc_type=code, starts_on=starts_on, ends_on=ends_on, mode=chosen.value,
                signed_exempt=signed_exempt, note=text, created_at=self.ctx.now())).inserted_primary_key[0]
            self.ctx.audit(conn, actor, "policy.add", code or "*",
                           {"starts_on": starts_on.isoformat(), "mode": chosen.value})
            return _rule(conn.execute(select(doc_paper_policies).where(doc_paper_policies.c.id == rule_id)).one())

    def list(self) -> list[PaperRule]:
        with self.ctx.db.read() as conn:
            return [_rule(r) for r in conn.execute(select(doc_paper_policies).order_by(
                doc_paper_policies.c.starts_on, doc_paper_policies.c.id))]

    def _wave_gap(self, conn: Connection, who: str, wave: int | None, on: date) -> str | None:
        if not conn.execute(select(func.count()).select_from(rollout_waves)).scalar_one():
            return None  # the province does not use waves
        if wave is None:
            return f"{who} chưa thuộc đợt triển khai gửi, nhận văn bản điện tử nào"
        starts = self.ctx.wave_start(conn, wave)
        if starts is None or starts > on:
            when = f" (bắt đầu {_day(starts)})" if starts else ""
            return f"{who} thuộc đợt triển khai {wave}, chưa đến thời điểm gửi, nhận văn bản điện tử{when}"
        return None

    def obligation(self, conn: Connection, *, doc_type: str, on: date, signed: bool,
                   sender_wave: int | None, recipient_wave: int | None, recipient_local: bool) -> PaperObligation:
        """Whether a paper original must also go to one recipient, with the reason in Vietnamese."""
        gaps = [self._wave_gap(conn, "Cơ quan gửi", sender_wave, on)]
        if recipient_local:
            gaps.append(self._wave_gap(conn, "Cơ quan nhận", recipient_wave, on))
        gap = next((g for g in gaps if g), None)
        if gap:
            return PaperObligation(True, f"Gửi kèm bản giấy: {gap}")
        rows = conn.execute(select(doc_paper_policies).where(
            doc_paper_policies.c.starts_on <= on,
            doc_paper_policies.c.ends_on.is_(None) | (doc_paper_policies.c.ends_on > on),
            doc_paper_policies.c.doc_type.is_(None) | (doc_paper_policies.c.doc_type == doc_type))).all()
        if rows:
            best = _rule(max(rows, key=lambda r: (r.doc_type is not None, r.starts_on, r.id)))
            source = f" ({best.note})" if best.note else ""
            since = f"từ {_day(best.starts_on)}"
            if best.mode is PaperMode.ELECTRONIC_ONLY:
                return PaperObligation(False, f"Chỉ gửi văn bản điện tử theo quy định {since}{source}")
            if best.signed_exempt and signed:
                return PaperObligation(False, f"Văn bản đã ký số, không gửi bản giấy theo quy định {since}{source}")
            return PaperObligation(True, f"Gửi kèm bản giấy theo quy định {since}{source}")
        if signed:
            return PaperObligation(False, "Văn bản điện tử có chữ ký số thay thế bản giấy (QĐ 28/2018/QĐ-TTg)")
        return PaperObligation(True, "Văn bản chưa ký số chỉ có giá trị tham khảo: gửi kèm bản giấy "
                                     "(QĐ 28/2018/QĐ-TTg)")
