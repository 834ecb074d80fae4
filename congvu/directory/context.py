"""What every directory service needs: the database, the installation's domains and rules, a clock, the audit log."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, insert

from congvu.store.database import Database
from congvu.store.schema import audit_log
from congvu.vntext.naming import NamingPattern


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes for timezone-aware columns: they are UTC."""
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


@dataclass(frozen=True)
class DirectoryContext:
    db: Database
    domain: str
    extra_domains: tuple[str, ...] = ()
    naming_pattern: NamingPattern = NamingPattern.GIVEN_INITIALS
    retention_days: int = 1825
    clock: Callable[[], datetime] = field(default=utcnow)

    @property
    def domains(self) -> tuple[str, ...]:
        return (self.domain, *self.extra_domains)

    def now(self) -> datetime:
        return self.clock()

    def retention_end(self, start: datetime) -> datetime:
        return start + timedelta(days=self.retention_days)

    def audit(self, conn: Connection, actor: str, action: str, target: str,
              details: dict[str, Any] | None = None) -> None:
        conn.execute(insert(audit_log).values(at=self.now(), actor=actor, action=action, target=target,
                                              details=details))
