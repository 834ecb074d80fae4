"""Agencies outside the installation reached at their official mail address (the ``mail`` transport).

Before a province joins the national platform, documents to another province's agencies can travel to their
official mailboxes (Chỉ thị 34/2008/CT-TTg; the receiving clerk's system recognises the edXML package). This book
says which address serves which agency code. An entry is added by an administrator (``congvu doc mail-agency
--add``) or learnt when a package arrives by mail from an agency nobody serves yet: the sender's mailbox is where
its statuses go back (NĐ 30/2020/NĐ-CP Điều 21.2.c: the sender is told the document arrived). A learnt entry
never replaces one an administrator set, and is never replaced by a later mail.

Layout: one row of ``settings_kv`` per agency, key ``documents.mail_agency.<CODE>``, value ``{"name",
"address", "learnt", "added_by"}``.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, delete, insert, select, update

from congvu.clerical.agency_codes import is_agency_code
from congvu.documents.context import DocContext
from congvu.errors import InvalidInput, NotFound
from congvu.store.schema import settings_kv
from congvu.vntext.normalize import clean_line

KEY_PREFIX = "documents.mail_agency."


@dataclass(frozen=True)
class MailAgency:
    code: str
    name: str
    address: str
    learnt: bool = False


def _key(code: str) -> str:
    return KEY_PREFIX + code


def _checked_code(code: str) -> str:
    text = code.strip().upper()
    if not is_agency_code(text):
        raise InvalidInput(f"Mã cơ quan '{code}' không hợp lệ (ví dụ H47.05 hoặc 000.00.05.H47)",
                           message_en=f"Invalid agency code {code!r}", field="code")
    return text


def checked_address(address: str) -> str:
    """An official address as stored: ``local@domain``, domain in lower case; InvalidInput otherwise."""
    text = address.strip().strip("<>").strip()
    local, at, domain = text.rpartition("@")
    if not at or not local or not domain or "." not in domain or any(c.isspace() or c in "<>,;" for c in text) \
            or len(text) > 320:
        raise InvalidInput(f"Địa chỉ thư '{address}' không hợp lệ", message_en=f"Invalid address {address!r}",
                           field="address")
    return f"{local}@{domain.lower().rstrip('.')}"


def _entry(code: str, value: object) -> MailAgency:
    data = value if isinstance(value, dict) else {}
    return MailAgency(code, str(data.get("name") or code), str(data.get("address") or ""),
                      bool(data.get("learnt", False)))


class MailAgencyBook:
    def __init__(self, ctx: DocContext) -> None:
        self.ctx = ctx

    def add(self, code: str, *, address: str, name: str = "", actor: str = "system") -> MailAgency:
        """Set (or change) the official address of an outside agency."""
        organ = _checked_code(code)
        mail = checked_address(address)
        title = clean_line(name, field="Tên cơ quan", max_chars=300) if name.strip() else organ
        with self.ctx.db.begin() as conn:
            if self.ctx.find_agency(conn, organ) is not None:
                raise InvalidInput(f"Cơ quan {organ} thuộc hệ thống này: văn bản tới cơ quan này không đi qua thư",
                                   message_en=f"{organ} is an agency of this installation", field="code")
            self._put(conn, organ, {"name": title, "address": mail, "learnt": False, "added_by": actor})
            self.ctx.audit(conn, actor, "doc.mail_agency.add", organ, {"address": mail, "name": title})
        return MailAgency(organ, title, mail)

    def learn(self, conn: Connection, code: str, *, address: str, name: str = "") -> MailAgency | None:
        """Remember where a package came from when nothing serves its sender yet; the entry, or None if not learnt."""
        try:
            organ = _checked_code(code)
            mail = checked_address(address)
            title = clean_line(name, field="Tên cơ quan", max_chars=300) if name.strip() else organ
        except InvalidInput:
            return None
        if self.for_code(conn, organ) is not None or self.ctx.find_agency(conn, organ) is not None:
            return None
        self._put(conn, organ, {"name": title, "address": mail, "learnt": True, "added_by": "mail"})
        self.ctx.audit(conn, "mail", "doc.mail_agency.learn", organ, {"address": mail})
        return MailAgency(organ, title, mail, learnt=True)

    def _put(self, conn: Connection, code: str, value: dict[str, object]) -> None:
        now = self.ctx.now()
        exists = conn.execute(select(settings_kv.c.key).where(settings_kv.c.key == _key(code))).first()
        if exists is None:
            conn.execute(insert(settings_kv).values(key=_key(code), value=value, updated_at=now))
        else:
            conn.execute(update(settings_kv).where(settings_kv.c.key == _key(code))
                         .values(value=value, updated_at=now))

    def remove(self, code: str, *, actor: str = "system") -> None:
        organ = code.strip().upper()
        with self.ctx.db.begin() as conn:
            gone = conn.execute(delete(settings_kv).where(settings_kv.c.key == _key(organ))).rowcount
            if not gone:
                raise NotFound(f"Không có địa chỉ thư nào cho cơ quan {organ}",
                               message_en=f"No mail address for {organ}", field="code")
            self.ctx.audit(conn, actor, "doc.mail_agency.remove", organ)

    def for_code(self, conn: Connection, code: str) -> MailAgency | None:
        organ = code.strip().upper()
        value = conn.execute(select(settings_kv.c.value).where(settings_kv.c.key == _key(organ))).scalar()
        return _entry(organ, value) if value is not None else None

    def address(self, code: str) -> str | None:
        with self.ctx.db.read() as conn:
            found = self.for_code(conn, code)
        return found.address if found is not None else None

    def list(self) -> list[MailAgency]:
        with self.ctx.db.read() as conn:
            rows = conn.execute(select(settings_kv.c.key, settings_kv.c.value)
                                .where(settings_kv.c.key.startswith(KEY_PREFIX, autoescape=True))
                                .order_by(settings_kv.c.key)).all()
        return [_entry(r.key[len(KEY_PREFIX):], r.value) for r in rows]
