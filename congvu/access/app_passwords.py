"""App passwords: one password per mail client (phone, Outlook, Thunderbird) for people with two-step sign-in.

A mail client cannot ask for a TOTP code, so once two-step sign-in is on, IMAP and SMTP accept only app passwords.
Each is 16 random letters (shown once, in groups of four), stored as an argon2id hash, and can be revoked alone
when a device is lost.
"""

from __future__ import annotations

import secrets

from sqlalchemy import Row, delete, func, insert, select, update

from congvu.access.models import AppPassword, IssuedAppPassword
from congvu.directory.context import DirectoryContext, as_utc
from congvu.errors import Conflict, NotFound
from congvu.security.passwords import hash_password, verify_password
from congvu.security.verified_cache import VerifiedSecretCache
from congvu.store.schema import accounts
from congvu.store.schema_web import account_totp, app_passwords
from congvu.vntext.normalize import clean_line

MAX_PER_ACCOUNT = 20
LAST_USE_PRECISION_S = 60
"""The last use of an app password is written again only when the one recorded is older than this."""
_ALPHABET = "abcdefghijkmnpqrstuvwxyz"


def new_app_password() -> str:
    raw = "".join(secrets.choice(_ALPHABET) for _ in range(16))
    return " ".join(raw[i:i + 4] for i in range(0, 16, 4))


def compact(secret: str) -> str:
    """Mail clients get the password typed with or without the spaces."""
    return "".join(secret.split()).lower()


class AppPasswordService:
    def __init__(self, ctx: DirectoryContext) -> None:
        self.ctx = ctx

    @staticmethod
    def _to_value(row: Row) -> AppPassword:  # type: ignore[type-arg]
        return AppPassword(row.id, row.account_id, row.name, as_utc(row.created_at) or row.created_at,
                           as_utc(row.last_used_at))

    def create(self, account_id: int, name: str, *, actor: str) -> IssuedAppPassword:
        label = clean_line(name, field="Tên thiết bị", max_chars=100)
        secret = new_app_password()
        with self.ctx.db.begin() as conn:
            if conn.execute(select(account_totp.c.account_id).where(
                    account_totp.c.account_id == account_id, account_totp.c.confirmed_at.is_not(None))).first() is None:
                raise Conflict("Mật khẩu ứng dụng chỉ dùng khi đã bật xác thực hai bước.",
                               message_en="App passwords are for accounts with two-step sign-in on.")
            count = conn.execute(select(func.count()).select_from(app_passwords)
                                 .where(app_passwords.c.account_id == account_id)).scalar_one()
            if count >= MAX_PER_ACCOUNT:
                raise Conflict(f"Đã có {count} mật khẩu ứng dụng; hãy thu hồi bớt trước khi tạo mới.")
            new_id = conn.execute(insert(app_passwords).values(
                account_id=account_id, name=label, password_hash=hash_password(compact(secret)),
                created_at=self.ctx.now())).inserted_primary_key[0]
            address = conn.execute(select(accounts.c.address).where(accounts.c.id == account_id)).scalar_one()
            self.ctx.audit(conn, actor, "app_password.add", address, {"name": label})
            row = conn.execute(select(app_passwords).where(app_passwords.c.id == new_id)).one()
        return IssuedAppPassword(self._to_value(row), secret)

    def list(self, account_id: int) -> list[AppPassword]:
        with self.ctx.db.read() as conn:
            return [self._to_value(r) for r in conn.execute(
                select(app_passwords).where(app_passwords.c.account_id == account_id)
                .order_by(app_passwords.c.created_at))]

    def revoke(self, account_id: int, app_password_id: int, *, actor: str) -> None:
        with self.ctx.db.begin() as conn:
            row = conn.execute(select(app_passwords.c.name).where(app_passwords.c.id == app_password_id,
                                                                  app_passwords.c.account_id == account_id)).first()
            if row is None:
                raise NotFound("Không có mật khẩu ứng dụng này.", message_en="No such app password.")
            conn.execute(delete(app_passwords).where(app_passwords.c.id == app_password_id))
            address = conn.execute(select(accounts.c.address).where(accounts.c.id == account_id)).scalar_one()
            self.ctx.audit(conn, actor, "app_password.remove", address, {"name": row.name})

    def verify(self, account_id: int, secret: str, *, verified: VerifiedSecretCache | None = None
               ) -> AppPassword | None:
        """The app password the secret matches (its last use noted), or None. With ``verified``, a match found
        within its lifetime is taken without hashing again (a revoked app password has no row to match)."""
        given = compact(secret)
        with self.ctx.db.read() as conn:
            rows = conn.execute(select(app_passwords).where(app_passwords.c.account_id == account_id)).all()
        matched = None
        if verified is not None:
            matched = next((row for row in rows if verified.knows(f"app:{row.id}", row.password_hash, given)), None)
        if matched is None:
            matched = next((row for row in rows if verify_password(row.password_hash, given)), None)
            if matched is None:
                return None
            if verified is not None:
                verified.remember(f"app:{matched.id}", matched.password_hash, given)
        now = self.ctx.now()
        last = as_utc(matched.last_used_at)
        if last is None or (now - last).total_seconds() >= LAST_USE_PRECISION_S:
            with self.ctx.db.begin() as conn:
                conn.execute(update(app_passwords).where(app_passwords.c.id == matched.id).values(last_used_at=now))
        return self._to_value(matched)
