"""Server-side web sessions: the browser holds a random token, the database holds its SHA-256.

A session lives at most ``MAX_AGE`` from sign-in and ends after ``IDLE_TIMEOUT`` without a request. The half
session between the password and the two-step code lasts ``SECOND_FACTOR_TIMEOUT``. Promoting it to a full session
issues a new token (the old one stops working), so a token planted before sign-in is never a signed-in one
(session fixation, OWASP ASVS V3.2.1). Signing out everywhere deletes every row of the account.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import Row, delete, insert, select, update

from congvu.access.models import IssuedSession, SessionStage, WebSession
from congvu.directory.context import DirectoryContext, as_utc
from congvu.store.schema import accounts
from congvu.store.schema_web import web_sessions

MAX_AGE = timedelta(days=7)
IDLE_TIMEOUT = timedelta(hours=12)
SECOND_FACTOR_TIMEOUT = timedelta(minutes=5)
TOUCH_EVERY = timedelta(minutes=1)  # spare the database a write on every request


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class SessionService:
    def __init__(self, ctx: DirectoryContext) -> None:
        self.ctx = ctx

    @staticmethod
    def _to_session(row: Row) -> WebSession:  # type: ignore[type-arg]
        return WebSession(id=row.id, account_id=row.account_id, address=row.address, stage=SessionStage(row.stage),
                          csrf_token=row.csrf_token, created_at=as_utc(row.created_at) or row.created_at,
                          last_seen_at=as_utc(row.last_seen_at) or row.last_seen_at,
                          expires_at=as_utc(row.expires_at) or row.expires_at, ip=row.ip, user_agent=row.user_agent)

    def _query(self):  # type: ignore[no-untyped-def]
        return (select(web_sessions, accounts.c.address)
                .join(accounts, accounts.c.id == web_sessions.c.account_id))

    def create(self, account_id: int, stage: SessionStage, *, ip: str | None = None,
               user_agent: str | None = None) -> IssuedSession:
        token = secrets.token_urlsafe(32)
        now = self.ctx.now()
        lifetime = SECOND_FACTOR_TIMEOUT if stage == SessionStage.SECOND_FACTOR else IDLE_TIMEOUT
        with self.ctx.db.begin() as conn:
            conn.execute(insert(web_sessions).values(
                id=token_hash(token), account_id=account_id, stage=stage.value, csrf_token=secrets.token_urlsafe(24),
                created_at=now, last_seen_at=now, expires_at=now + lifetime, ip=ip,
                user_agent=(user_agent or "")[:300] or None))
            row = conn.execute(self._query().where(web_sessions.c.id == token_hash(token))).one()
        return IssuedSession(token, self._to_session(row))

    def get(self, token: str | None) -> WebSession | None:
        """The live session of a cookie value, touched; None when unknown, expired or the account is not active."""
        if not token or len(token) > 200:
            return None
        now = self.ctx.now()
        key = token_hash(token)
        with self.ctx.db.read() as conn:
            row = conn.execute(self._query().add_columns(accounts.c.status.label("account_status"))
                               .where(web_sessions.c.id == key)).first()
        if row is None:
            return None
        session = self._to_session(row)
        if session.expires_at <= now or row.account_status != "active":
            with self.ctx.db.begin() as conn:
                conn.execute(delete(web_sessions).where(web_sessions.c.id == key))
            return None
        if session.stage == SessionStage.FULL and now - session.last_seen_at >= TOUCH_EVERY:
            expires = min(session.created_at + MAX_AGE, now + IDLE_TIMEOUT)
            with self.ctx.db.begin() as conn:
                conn.execute(update(web_sessions).where(web_sessions.c.id == key)
                             .values(last_seen_at=now, expires_at=expires))
        return session

    def promote(self, token: str, *, ip: str | None = None, user_agent: str | None = None) -> IssuedSession:
        """Replace a second-factor session with a full one under a new token."""
        with self.ctx.db.begin() as conn:
            row = conn.execute(select(web_sessions.c.account_id).where(web_sessions.c.id == token_hash(token))).one()
            conn.execute(delete(web_sessions).where(web_sessions.c.id == token_hash(token)))
        return self.create(row.account_id, SessionStage.FULL, ip=ip, user_agent=user_agent)

    def revoke(self, token: str) -> None:
        with self.ctx.db.begin() as conn:
            conn.execute(delete(web_sessions).where(web_sessions.c.id == token_hash(token)))

    def revoke_one(self, account_id: int, session_id: str) -> bool:
        with self.ctx.db.begin() as conn:
            gone = conn.execute(delete(web_sessions).where(web_sessions.c.id == session_id,
                                                           web_sessions.c.account_id == account_id)).rowcount
        return bool(gone)

    def revoke_all(self, account_id: int, *, keep: str | None = None, actor: str = "system") -> int:
        """End every session of the account (but ``keep``, a session id); returns how many ended."""
        with self.ctx.db.begin() as conn:
            stmt = delete(web_sessions).where(web_sessions.c.account_id == account_id)
            if keep is not None:
                stmt = stmt.where(web_sessions.c.id != keep)
            count = int(conn.execute(stmt).rowcount or 0)
            address = conn.execute(select(accounts.c.address).where(accounts.c.id == account_id)).scalar_one()
            self.ctx.audit(conn, actor, "session.revoke_all", address, {"count": count})
        return count

    def list(self, account_id: int) -> list[WebSession]:
        now = self.ctx.now()
        with self.ctx.db.read() as conn:
            rows = conn.execute(self._query().where(web_sessions.c.account_id == account_id,
                                                    web_sessions.c.stage == SessionStage.FULL.value)
                                .order_by(web_sessions.c.last_seen_at.desc()))
            return [s for s in (self._to_session(r) for r in rows) if s.expires_at > now]

    def purge_expired(self) -> int:
        with self.ctx.db.begin() as conn:
            return int(conn.execute(delete(web_sessions).where(web_sessions.c.expires_at <= self.ctx.now()))
                       .rowcount or 0)
