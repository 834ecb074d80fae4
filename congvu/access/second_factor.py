"""Two-step sign-in with an authenticator app (TOTP, RFC 6238) and single-use recovery codes.

Enrolment has two steps: ``begin`` stores a new secret unconfirmed (shown as a QR code), ``confirm`` checks a first
code from the app and only then turns two-step sign-in on, returning the recovery codes to show once. A code is
accepted once: the last used time step is kept and a code of the same or an earlier step is refused
(RFC 6238 §5.2). Turning it off (by the person, or by an administrator for a lost phone) also removes the app
passwords, which exist only while two-step sign-in is on.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from sqlalchemy import delete, func, insert, or_, select, update

from congvu.access.models import TotpStatus
from congvu.directory.context import DirectoryContext
from congvu.errors import Conflict, InvalidInput
from congvu.security import totp
from congvu.store.schema import accounts
from congvu.store.schema_web import account_totp, app_passwords, recovery_codes

RECOVERY_CODE_COUNT = 10
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def _recovery_hash(code: str) -> str:
    return hashlib.sha256(normalise_recovery_code(code).encode("ascii")).hexdigest()


def normalise_recovery_code(code: str) -> str:
    return "".join(c for c in code.lower() if c.isalnum())


def new_recovery_code() -> str:
    raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(10))
    return f"{raw[:5]}-{raw[5:]}"


class SecondFactorService:
    def __init__(self, ctx: DirectoryContext) -> None:
        self.ctx = ctx

    def status(self, account_id: int) -> TotpStatus:
        with self.ctx.db.read() as conn:
            row = conn.execute(select(account_totp).where(account_totp.c.account_id == account_id)).first()
            left = conn.execute(select(func.count()).select_from(recovery_codes).where(
                recovery_codes.c.account_id == account_id, recovery_codes.c.used_at.is_(None))).scalar_one()
        if row is None:
            return TotpStatus(False, None, 0)
        enabled = row.confirmed_at is not None
        return TotpStatus(enabled, None if enabled else row.secret, int(left) if enabled else 0)

    def is_enabled(self, account_id: int) -> bool:
        with self.ctx.db.read() as conn:
            return conn.execute(select(account_totp.c.account_id).where(
                account_totp.c.account_id == account_id, account_totp.c.confirmed_at.is_not(None))).first() is not None

    def begin(self, account_id: int) -> str:
        """A new, unconfirmed secret (replacing an unconfirmed one)."""
        secret = totp.new_secret()
        with self.ctx.db.begin() as conn:
            row = conn.execute(select(account_totp.c.confirmed_at)
                               .where(account_totp.c.account_id == account_id)).first()
            if row is not None and row.confirmed_at is not None:
                raise Conflict("Xác thực hai bước đã bật.", message_en="Two-step sign-in is already on.")
            conn.execute(delete(account_totp).where(account_totp.c.account_id == account_id))
            conn.execute(insert(account_totp).values(account_id=account_id, secret=secret, created_at=self.ctx.now()))
        return secret

    def confirm(self, account_id: int, code: str, *, actor: str) -> list[str]:
        """Turn two-step sign-in on once a code from the app matches; returns the recovery codes (shown once)."""
        now = self.ctx.now()
        with self.ctx.db.begin() as conn:
            row = conn.execute(select(account_totp).where(account_totp.c.account_id == account_id)).first()
            if row is None or row.confirmed_at is not None:
                raise Conflict("Chưa bắt đầu bật xác thực hai bước, hoặc đã bật rồi.",
                               message_en="Two-step enrolment was not started, or is already done.")
            step = totp.match_step(row.secret, code, now.timestamp())
            if step is None:
                raise InvalidInput("Mã xác thực không đúng; hãy kiểm tra đồng hồ điện thoại và nhập mã mới.",
                                   message_en="Wrong code; check the phone's clock and enter a fresh code.",
                                   field="code")
            conn.execute(update(account_totp).where(account_totp.c.account_id == account_id)
                         .values(confirmed_at=now, last_step=step))
            codes = self._new_recovery_codes(conn, account_id)
            address = conn.execute(select(accounts.c.address).where(accounts.c.id == account_id)).scalar_one()
            self.ctx.audit(conn, actor, "account.totp_on", address)
        return codes

    def _new_recovery_codes(self, conn, account_id: int) -> list[str]:  # type: ignore[no-untyped-def]
        codes = [new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
        conn.execute(delete(recovery_codes).where(recovery_codes.c.account_id == account_id))
        conn.execute(insert(recovery_codes), [{"account_id": account_id, "code_hash": _recovery_hash(c)}
                                              for c in codes])
        return codes

    def renew_recovery_codes(self, account_id: int, *, actor: str) -> list[str]:
        with self.ctx.db.begin() as conn:
            codes = self._new_recovery_codes(conn, account_id)
            address = conn.execute(select(accounts.c.address).where(accounts.c.id == account_id)).scalar_one()
            self.ctx.audit(conn, actor, "account.recovery_codes", address)
        return codes

    def verify(self, account_id: int, code: str) -> str | None:
        """``"totp"`` or ``"recovery_code"`` when the code is accepted (and used up); None otherwise."""
        now = self.ctx.now()
        compact = "".join(c for c in code if not c.isspace() and c != "-")
        with self.ctx.db.begin() as conn:
            row = conn.execute(select(account_totp).where(account_totp.c.account_id == account_id,
                                                          account_totp.c.confirmed_at.is_not(None))).first()
            if row is None:
                return None
            if compact.isdigit():
                step = totp.match_step(row.secret, compact, now.timestamp(), last_used_step=row.last_step)
                if step is None:
                    return None
                # Guarded update: of two concurrent uses of one code only one moves last_step.
                moved = conn.execute(update(account_totp).where(
                    account_totp.c.account_id == account_id,
                    or_(account_totp.c.last_step.is_(None), account_totp.c.last_step < step)).values(last_step=step))
                return "totp" if moved.rowcount else None
            wanted = _recovery_hash(code)
            for code_row in conn.execute(select(recovery_codes.c.id, recovery_codes.c.code_hash).where(
                    recovery_codes.c.account_id == account_id, recovery_codes.c.used_at.is_(None))).all():
                if hmac.compare_digest(code_row.code_hash, wanted):
                    used = conn.execute(update(recovery_codes).where(recovery_codes.c.id == code_row.id,
                                                                     recovery_codes.c.used_at.is_(None))
                                        .values(used_at=now))
                    return "recovery_code" if used.rowcount else None
        return None

    def disable(self, account_id: int, *, actor: str) -> None:
        with self.ctx.db.begin() as conn:
            gone = conn.execute(delete(account_totp).where(account_totp.c.account_id == account_id)).rowcount
            conn.execute(delete(recovery_codes).where(recovery_codes.c.account_id == account_id))
            conn.execute(delete(app_passwords).where(app_passwords.c.account_id == account_id))
            if gone:
                address = conn.execute(select(accounts.c.address).where(accounts.c.id == account_id)).scalar_one()
                self.ctx.audit(conn, actor, "account.totp_off", address)
