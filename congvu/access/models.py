"""Values the access services hand to adapters (web, API, and the mail servers' AUTH)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from congvu.directory.models import Account


class SessionStage(StrEnum):
    SECOND_FACTOR = "second_factor"  # the password was right; the code is still to come
    FULL = "full"


@dataclass(frozen=True)
class WebSession:
    id: str  # SHA-256 of the cookie value
    account_id: int
    address: str
    stage: SessionStage
    csrf_token: str
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    ip: str | None
    user_agent: str | None


@dataclass(frozen=True)
class IssuedSession:
    token: str  # the cookie value, never stored
    session: WebSession


@dataclass(frozen=True)
class TotpStatus:
    enabled: bool
    pending_secret: str | None
    recovery_codes_left: int


@dataclass(frozen=True)
class AppPassword:
    id: int
    account_id: int
    name: str
    created_at: datetime
    last_used_at: datetime | None


@dataclass(frozen=True)
class IssuedAppPassword:
    app_password: AppPassword
    secret: str  # shown once


@dataclass(frozen=True)
class ApiToken:
    id: int
    name: str
    prefix: str
    created_by: str
    agency_code: str | None  # None: the whole province
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None


@dataclass(frozen=True)
class IssuedApiToken:
    token: ApiToken
    secret: str  # the whole bearer token, shown once


class SignInOutcome(StrEnum):
    OK = "ok"
    NEEDS_CODE = "needs_code"
    REFUSED = "refused"
    THROTTLED = "throttled"


@dataclass(frozen=True)
class SignInResult:
    outcome: SignInOutcome
    account: Account | None = None
    retry_after_s: int = 0


@dataclass(frozen=True)
class SignInEvent:
    at: datetime
    address: str
    account_id: int | None
    protocol: str  # web | imap | smtp | api
    ip: str | None
    method: str  # password | totp | recovery_code | app_password
    success: bool
    reason: str | None = None


@dataclass(frozen=True)
class ReviewEntry:
    address: str
    full_name: str
    agency_code: str | None
    agency_name: str | None
    created_at: datetime
    last_login_at: datetime | None


@dataclass(frozen=True)
class ReviewReport:
    idle_days: int
    never_signed_in: tuple[ReviewEntry, ...]
    idle: tuple[ReviewEntry, ...]
    missing_from_import: tuple[ReviewEntry, ...]
    latest_import_id: int | None
    latest_import_at: datetime | None
    latest_import_source: str | None


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: datetime
    actor: str
    action: str
    target: str
    details: dict[str, object] | None
