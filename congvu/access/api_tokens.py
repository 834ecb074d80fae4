"""API tokens for ``/api/v1``: made by an administrator, scoped to what that administrator manages.

A token reads ``cv_<prefix>_<secret>``: the prefix (shown in lists, unique) finds the row, the SHA-256 of the whole
token is compared in constant time. The token is shown once; the database keeps only the hash. A token stops
working when revoked, when it expires, or when its creator is no longer an active administrator.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from sqlalchemy import Row, insert, select, update

from congvu.access.models import ApiToken, IssuedApiToken
from congvu.directory.context import DirectoryContext, as_utc
from congvu.errors import Conflict, InvalidInput, NotFound
from congvu.store.schema import agencies
from congvu.store.schema_web import api_tokens
from congvu.vntext.normalize import clean_line

TOKEN_PREFIX = "cv_"
_USE_NOTE_EVERY = timedelta(minutes=1)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class ApiTokenService:
    def __init__(self, ctx: DirectoryContext) -> None:
        self.ctx = ctx

    def _query(self):  # type: ignore[no-untyped-def]
        return (select(api_tokens, agencies.c.code.label("agency_code"))
                .outerjoin(agencies, agencies.c.id == api_tokens.c.agency_id))

    @staticmethod
    def _to_value(row: Row) -> ApiToken:  # type: ignore[type-arg]
        return ApiToken(id=row.id, name=row.name, prefix=row.prefix, created_by=row.created_by,
                        agency_code=row.agency_code, created_at=as_utc(row.created_at) or row.created_at,
                        expires_at=as_utc(row.expires_at), last_used_at=as_utc(row.last_used_at),
                        revoked_at=as_utc(row.revoked_at))

    def create(self, name: str, *, created_by: str, agency_id: int | None, valid_days: int | None = None,
               actor: str) -> IssuedApiToken:
        label = clean_line(name, field="Tên token", max_chars=100)
        if valid_days is not None and not 1 <= valid_days <= 3650:
            raise InvalidInput("Thời hạn phải từ 1 đến 3650 ngày.", field="valid_days")
        now = self.ctx.now()
        prefix = secrets.token_hex(4)
        secret = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
        with self.ctx.db.begin() as conn:
            new_id = conn.execute(insert(api_tokens).values(
                name=label, prefix=prefix, token_hash=_hash(secret), created_by=created_by, agency_id=agency_id,
                created_at=now, expires_at=now + timedelta(days=valid_days) if valid_days else None,
            )).inserted_primary_key[0]
            self.ctx.audit(conn, actor, "api_token.add", f"token:{prefix}", {"name": label})
            row = conn.execute(self._query().where(api_tokens.c.id == new_id)).one()
        return IssuedApiToken(self._to_value(row), secret)

    def list(self, *, agency_ids: set[int] | None = None) -> list[ApiToken]:
        """Tokens, newest first; ``agency_ids`` limits them to tokens scoped inside those agencies."""
        with self.ctx.db.read() as conn:
            stmt = self._query().order_by(api_tokens.c.id.desc())
            if agency_ids is not None:
                stmt = stmt.where(api_tokens.c.agency_id.in_(agency_ids))
            return [self._to_value(r) for r in conn.execute(stmt)]

    def get(self, token_id: int) -> ApiToken:
        with self.ctx.db.read() as conn:
            row = conn.execute(self._query().where(api_tokens.c.id == token_id)).first()
        if row is None:
            raise NotFound("Không có token này.", message_en="No such token.")
        return self._to_value(row)

    def agency_id(self, token_id: int) -> int | None:
        with self.ctx.db.read() as conn:
            row = conn.execute(select(api_tokens.c.agency_id).where(api_tokens.c.id == token_id)).first()
        if row is None:
            raise NotFound("Không có token này.", message_en="No such token.")
        return row.agency_id

    def revoke(self, token_id: int, *, actor: str) -> ApiToken:
        with self.ctx.db.begin() as conn:
            row = conn.execute(self._query().where(api_tokens.c.id == token_id)).first()
            if row is None:
                raise NotFound("Không có token này.", message_en="No such token.")
            if row.revoked_at is not None:
                raise Conflict("Token đã bị thu hồi.", message_en="The token is already revoked.")
            conn.execute(update(api_tokens).where(api_tokens.c.id == token_id).values(revoked_at=self.ctx.now()))
            self.ctx.audit(conn, actor, "api_token.revoke", f"token:{row.prefix}", {"name": row.name})
        return self.get(token_id)

    def authenticate(self, bearer: str) -> ApiToken | None:
        """The live token the bearer string names, or None (unknown, wrong, revoked or expired)."""
        text = bearer.strip()
        if not text.startswith(TOKEN_PREFIX) or len(text) > 200:
            return None
        prefix = text[len(TOKEN_PREFIX):].partition("_")[0]
        now = self.ctx.now()
        with self.ctx.db.read() as conn:
            row = conn.execute(self._query().where(api_tokens.c.prefix == prefix)).first()
        if row is None or not hmac.compare_digest(row.token_hash, _hash(text)):
            return None
        token = self._to_value(row)
        if token.revoked_at is not None or (token.expires_at is not None and token.expires_at <= now):
            return None
        if token.last_used_at is None or now - token.last_used_at >= _USE_NOTE_EVERY:
            with self.ctx.db.begin() as conn:
                conn.execute(update(api_tokens).where(api_tokens.c.id == token.id).values(last_used_at=now))
        return token
