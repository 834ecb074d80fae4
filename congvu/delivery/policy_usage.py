"""The free-webmail policy as administrators read it: the configured policy and limits, and how many messages
the policy applied to this month, per agency.

The SMTP server and the webmail record a ``free_mail`` usage event for every message the policy applied to
(allowed, warned, held or refused), with the direction, the action and the domain; outbound events carry the
sending account, so they are counted against its agency (mail from outside that an alias or group forwards to
free webmail has no sending account: it is counted under no agency). Inbound events belong to no account: they
are counted for the whole province (shown to province administrators only).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone

from sqlalchemy import select

from congvu.installation import Installation
from congvu.smtpserver.settings import MailPolicy, SmtpLimits, load_limits, load_mail_policy
from congvu.store.schema import accounts, agencies, usage_events

VIETNAM = timezone(timedelta(hours=7))
ACTIONS = ("allow", "warn", "hold", "reject")


@dataclass
class FreeMailCount:
    agency_code: str
    agency_name: str
    by_action: dict[str, int] = field(default_factory=lambda: dict.fromkeys(ACTIONS, 0))
    recipients: int = 0

    @property
    def messages(self) -> int:
        return sum(self.by_action.values())


@dataclass(frozen=True)
class FreeMailReport:
    since: datetime
    outbound: tuple[FreeMailCount, ...]  # per agency, most first
    inbound: FreeMailCount | None  # the whole province (None for an agency administrator)


@dataclass(frozen=True)
class PolicyView:
    policy: MailPolicy
    limits: SmtpLimits
    config_file: str
    retention_days: int


def month_start(now: datetime) -> datetime:
    """The first instant of the current month in Vietnam's time, in UTC."""
    local = now.astimezone(VIETNAM)
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0).astimezone(UTC)


def policy_view(inst: Installation) -> PolicyView:
    raw = inst.settings.raw
    return PolicyView(policy=load_mail_policy(raw, domain=inst.settings.domain), limits=load_limits(raw),
                      config_file=str(inst.settings.data.config_file), retention_days=inst.trace.retention_days)


def free_mail_report(inst: Installation, *, agency_ids: set[int] | frozenset[int] | None,
                     now: datetime | None = None) -> FreeMailReport:
    """Messages the free-webmail policy applied to since the start of this month (``agency_ids`` None: every
    agency and the province's inbound total)."""
    since = month_start(now or datetime.now(UTC))
    inst.usage.flush()  # events recorded in this process a moment ago count too
    per_agency: dict[int | None, FreeMailCount] = {}
    inbound = FreeMailCount("", "") if agency_ids is None else None
    query = (select(usage_events.c.detail, accounts.c.agency_id, agencies.c.code, agencies.c.name)
             .select_from(usage_events.outerjoin(accounts, accounts.c.id == usage_events.c.account_id)
                          .outerjoin(agencies, agencies.c.id == accounts.c.agency_id))
             .where(usage_events.c.kind == "free_mail", usage_events.c.at >= since))
    if agency_ids is not None:
        query = query.where(accounts.c.agency_id.in_(sorted(agency_ids)))
    with inst.db.read() as conn:
        for row in conn.execute(query):
            detail: Mapping[str, object] = row.detail or {}
            action = str(detail.get("action", ""))
            count = detail.get("recipients")
            recipients = count if isinstance(count, int) else 1
            if detail.get("direction") == "inbound":
                target = inbound
            else:
                target = per_agency.setdefault(row.agency_id, FreeMailCount(row.code or "", row.name or ""))
            if target is None:
                continue
            target.by_action[action] = target.by_action.get(action, 0) + 1
            target.recipients += recipients
    ordered = sorted(per_agency.values(), key=lambda c: (-c.messages, c.agency_code))
    return FreeMailReport(since=since, outbound=tuple(ordered), inbound=inbound)


__all__ = ["FreeMailCount", "FreeMailReport", "PolicyView", "free_mail_report", "month_start", "policy_view"]
