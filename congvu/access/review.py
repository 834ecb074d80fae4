"""Reading for administrators: the account review (who never signed in, who is idle, who left the HR list) and
the audit log, both limited to the agencies the administrator manages.

"Missing from the latest import" compares ``accounts.last_import_id`` with the newest ``import_batches`` row: a
person the HR department no longer lists is probably gone and their account should be disabled.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Row, Select, or_, select

from congvu.access.models import AuditEntry, ReviewEntry, ReviewReport
from congvu.directory.context import DirectoryContext, as_utc
from congvu.store.schema import accounts, agencies, audit_log, import_batches
from congvu.vntext.fold import fold

REVIEW_LIMIT = 500


class AccountReview:
    def __init__(self, ctx: DirectoryContext) -> None:
        self.ctx = ctx

    @staticmethod
    def _entry(row: Row) -> ReviewEntry:  # type: ignore[type-arg]
        return ReviewEntry(row.address, row.full_name, row.agency_code, row.agency_name,
                           as_utc(row.created_at) or row.created_at, as_utc(row.last_login_at))

    def _base(self, agency_ids: set[int] | None) -> Select:  # type: ignore[type-arg]
        stmt = (select(accounts.c.address, accounts.c.full_name, accounts.c.created_at, accounts.c.last_login_at,
                       agencies.c.code.label("agency_code"), agencies.c.name.label("agency_name"))
                .outerjoin(agencies, agencies.c.id == accounts.c.agency_id)
                .where(accounts.c.kind == "person", accounts.c.status == "active")
                .order_by(accounts.c.name_key, accounts.c.address).limit(REVIEW_LIMIT))
        if agency_ids is not None:
            stmt = stmt.where(accounts.c.agency_id.in_(agency_ids))
        return stmt

    def run(self, *, agency_ids: set[int] | None, idle_days: int = 90) -> ReviewReport:
        cutoff = self.ctx.now() - timedelta(days=idle_days)
        with self.ctx.db.read() as conn:
            never = [self._entry(r) for r in conn.execute(self._base(agency_ids)
                                                          .where(accounts.c.last_login_at.is_(None)))]
            idle = [self._entry(r) for r in conn.execute(self._base(agency_ids)
                                                         .where(accounts.c.last_login_at < cutoff))]
            latest = conn.execute(select(import_batches).order_by(import_batches.c.id.desc()).limit(1)).first()
            missing: list[ReviewEntry] = []
            if latest is not None:
                missing = [self._entry(r) for r in conn.execute(self._base(agency_ids).where(or_(
                    accounts.c.last_import_id.is_(None), accounts.c.last_import_id != latest.id)))]
        return ReviewReport(idle_days, tuple(never), tuple(idle), tuple(missing),
                            latest.id if latest is not None else None,
                            as_utc(latest.at) if latest is not None else None,
                            latest.source if latest is not None else None)


class AuditReader:
    def __init__(self, ctx: DirectoryContext) -> None:
        self.ctx = ctx

    def page(self, *, agency_ids: set[int] | None, query: str | None = None, before_id: int | None = None,
             limit: int = 50) -> list[AuditEntry]:
        """Newest first; an agency administrator sees entries about, or made by, the people and agencies they manage."""
        stmt = select(audit_log).order_by(audit_log.c.id.desc()).limit(limit)
        if before_id is not None:
            stmt = stmt.where(audit_log.c.id < before_id)
        if query:
            needle = f"%{fold(query)}%"
            stmt = stmt.where(or_(audit_log.c.actor.like(needle), audit_log.c.target.like(needle),
                                  audit_log.c.action.like(needle)))
        if agency_ids is not None:
            people = select(accounts.c.address).where(accounts.c.agency_id.in_(agency_ids))
            codes = select(agencies.c.code).where(agencies.c.id.in_(agency_ids))
            stmt = stmt.where(or_(audit_log.c.target.in_(people), audit_log.c.target.in_(codes),
                                  audit_log.c.actor.in_(people)))
        with self.ctx.db.read() as conn:
            return [AuditEntry(r.id, as_utc(r.at) or r.at, r.actor, r.action, r.target, r.details)
                    for r in conn.execute(stmt)]
