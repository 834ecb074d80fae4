"""Who an outgoing document goes to: the "Kính gửi" and "Nơi nhận" lines turned into recipient agencies.

NĐ 30/2020/NĐ-CP Phụ lục I (thành phần "Nơi nhận"): one line per recipient, a purpose in brackets, "Như trên"
for the addressees of "Kính gửi", last "Lưu: VT, <đơn vị soạn thảo>". A line may name an agency by its code
(QĐ 20/2020 or QCVN 102 form), by its name, or a group of the directory ("Các sở, ban, ngành", a rule group that
follows the agency tree). Each recipient is carried inside the installation when the agency is in the directory,
to the peer system that serves its code, or else to its official mail address
(:mod:`congvu.documents.mail_agencies`); a code none of these serves is refused before anything is numbered.

"Kính gửi" lines must all resolve. "Nơi nhận" lines that name no agency of the exchange (``TT. Tỉnh ủy (b/c)``)
stay on the printed list and come back as warnings: they go on paper or by other means.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, select

from congvu.clerical.agency_codes import is_agency_code
from congvu.clerical.recipients import EntryKind, RecipientEntry, parse_entry
from congvu.directory.models import Agency
from congvu.documents.context import DocContext
from congvu.documents.mail_agencies import MailAgencyBook
from congvu.documents.peers import PeerService
from congvu.errors import CongVuError, NotFound
from congvu.store.schema import accounts


@dataclass(frozen=True)
class Recipient:
    organ_id: str
    name: str
    email: str
    transport: str  # local | http | mail
    local_agency_id: int | None
    wave: int | None
    purpose: str | None
    organization_in_charge: str = ""


@dataclass(frozen=True)
class RecipientPlan:
    recipients: tuple[Recipient, ...]
    kinh_gui: tuple[str, ...]
    noi_nhan: tuple[str, ...]
    warnings: tuple[str, ...]


def _not_served(code: str) -> NotFound:
    return NotFound(
        f"Không có cơ quan mã '{code}' trong danh bạ, cũng không có hệ thống liên thông hay địa chỉ thư "
        "nào nhận mã này",
        message_en=f"No agency {code!r} in the directory, no exchange peer and no mail address serves it",
        field="recipient")


class RecipientPlanner:
    def __init__(self, ctx: DocContext, peers: PeerService, mail_agencies: MailAgencyBook | None = None) -> None:
        self.ctx = ctx
        self.peers = peers
        self.mail_agencies = mail_agencies or MailAgencyBook(ctx)

    def local(self, conn: Connection, agency: Agency, purpose: str | None = None) -> Recipient:
        parent = self.ctx.find_agency(conn, agency.parent_code) if agency.parent_code else None
        return Recipient(agency.code, agency.name, agency.mailbox or "", "local", agency.id, agency.wave, purpose,
                         parent.name if parent else "")

    def by_code(self, conn: Connection, code: str, purpose: str | None = None) -> Recipient:
        """The recipient for an agency code: local when in the directory, else through a peer, else by mail to
        its official address; NotFound when none serves it."""
        text = code.strip().upper()
        agency = self.ctx.find_agency(conn, text)
        if agency is not None:
            return self.local(conn, agency, purpose)
        if self.peers.for_code(conn, text) is not None:
            return Recipient(text, text, "", "http", None, None, purpose)
        by_mail = self.mail_agencies.for_code(conn, text)
        if by_mail is not None:
            return Recipient(text, by_mail.name, by_mail.address, "mail", None, None, purpose)
        raise _not_served(text)

    def plan(self, conn: Connection, issuer: Agency, kinh_gui: Sequence[str], noi_nhan: Sequence[str],
             *, drafting_unit: str | None = None) -> RecipientPlan:
        entries = [parse_entry(line) for line in (*kinh_gui, *noi_nhan)]
        self.ctx.preload_agencies(conn, [e.agency_code or e.label.strip().upper() for e in entries
                                         if e.agency_code or is_agency_code(e.label.strip().upper())])
        chosen: dict[str, Recipient] = {}
        warnings: list[str] = []
        above: list[Recipient] = []
        kg_lines: list[str] = []
        for line in kinh_gui:
            found, label = self._line(conn, line, strict=True, warnings=warnings)
            above.extend(found)
            kg_lines.append(label)
        lines = list(noi_nhan) or ["Như trên", "Lưu: VT" + (f", {drafting_unit}" if drafting_unit else "")]
        nn_lines: list[str] = []
        for line in lines:
            entry = parse_entry(line)
            if entry.kind is EntryKind.AS_ABOVE:
                nn_lines.append(entry.line)
                continue
            found, label = self._line(conn, line, strict=False, warnings=warnings)
            for r in found:
                chosen.setdefault(r.organ_id, r)
            nn_lines.append(label)
        ordered = {r.organ_id: r for r in above}
        for code, r in chosen.items():
            ordered.setdefault(code, r)
        if issuer.code in ordered:
            del ordered[issuer.code]
            warnings.append("Cơ quan ban hành có trong nơi nhận: bỏ qua, bản lưu đã có ở văn thư")
        return RecipientPlan(tuple(ordered.values()), tuple(kg_lines), tuple(nn_lines), tuple(warnings))

    def _line(self, conn: Connection, line: str, *, strict: bool,
              warnings: list[str]) -> tuple[list[Recipient], str]:
        entry = parse_entry(line)
        purpose = entry.purpose.value if entry.purpose else None
        if entry.kind is EntryKind.ARCHIVE:
            return [], entry.line
        label = entry.label.strip()
        code = entry.agency_code or (label.upper() if is_agency_code(label.upper()) else None)
        if code is not None:
            recipient = self.by_code(conn, code, purpose)
            shown = recipient.name if recipient.transport != "http" else label
            return [recipient], _with_purpose(entry, shown)
        group_members = self._group(conn, label)
        if group_members is not None:
            if not group_members:
                warnings.append(f"Nhóm «{label}» không có hộp thư cơ quan nào: không gửi điện tử được")
            return [self.local(conn, a, purpose) for a in group_members], entry.line
        try:
            agency = self.ctx.agency(conn, label)
        except CongVuError:
            agency = None
        if agency is not None and agency.status == "active":
            return [self.local(conn, agency, purpose)], _with_purpose(entry, agency.name)
        if strict:
            raise NotFound(f"Không nhận ra nơi nhận «{label}»: không phải mã, tên cơ quan hay nhóm trong danh bạ",
                           message_en=f"Unknown recipient {label!r}", field="recipient")
        warnings.append(f"«{label}» không có trong danh bạ: chỉ ghi ở Nơi nhận, không gửi điện tử")
        return [], entry.line

    def _group(self, conn: Connection, label: str) -> list[Agency] | None:
        """The agencies of a directory group named ``label`` (by address or name), or None if no such group."""
        try:
            group = self.ctx.directory.groups.get(conn, label)
        except (NotFound, CongVuError):
            return None
        if not group.members:
            return []
        rows = conn.execute(select(accounts.c.agency_id).where(
            accounts.c.address.in_(list(group.members)), accounts.c.kind == "agency",
            accounts.c.status == "active")).all()
        wanted = {r.agency_id for r in rows}
        return [a for a in self.ctx.directory.agencies.tree(conn) if a.id in wanted]


def _with_purpose(entry: RecipientEntry, label: str) -> str:
    purpose = entry.purpose_text or (entry.purpose.label if entry.purpose else None)
    return f"{label} ({purpose})" if purpose else label
