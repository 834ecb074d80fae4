"""Signing in: the password step, the two-step code, and the check mail clients (IMAP, SMTP AUTH) go through.

Every attempt passes the shared :class:`~congvu.security.throttle.SignInThrottle` first, and every outcome is
recorded through a :class:`SignInRecorder`: the audit log gets every attempt (``signin.ok``, ``signin.fail``),
the usage events of the monitoring reports get each successful sign-in (``login``) through
:class:`UsageSignInRecorder`.

Replies never say whether an address exists: an unknown address and a wrong password look the same.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from congvu.access.app_passwords import AppPasswordService
from congvu.access.models import SignInEvent, SignInOutcome, SignInResult
from congvu.access.second_factor import SecondFactorService
from congvu.directory.accounts import AccountService
from congvu.directory.context import DirectoryContext
from congvu.directory.models import Account
from congvu.errors import NotFound
from congvu.security.throttle import SignInThrottle
from congvu.security.verified_cache import VerifiedSecretCache


class SignInRecorder(Protocol):
    def record(self, event: SignInEvent) -> None: ...


class AuditSignInRecorder:
    """Sign-ins in the audit log: who, from where, over which protocol and how."""

    def __init__(self, ctx: DirectoryContext) -> None:
        self.ctx = ctx

    def record(self, event: SignInEvent) -> None:
        details: dict[str, object] = {"protocol": event.protocol, "ip": event.ip, "method": event.method}
        if event.reason:
            details["reason"] = event.reason
        with self.ctx.db.begin() as conn:
            self.ctx.audit(conn, event.address, "signin.ok" if event.success else "signin.fail", event.address,
                           details)


class UsageSink(Protocol):
    """What :class:`congvu.mailstore.usage.UsageRecorder` offers (queued, never blocks on the database)."""

    def record(self, kind: str, *, account_id: int | None, protocol: str,
               detail: Mapping[str, str | int | bool | None] | None = None) -> None: ...


class UsageSignInRecorder:
    """Successful sign-ins as ``login`` usage events, counted by the usage reports per protocol."""

    def __init__(self, usage: UsageSink) -> None:
        self.usage = usage

    def record(self, event: SignInEvent) -> None:
        if event.success:
            self.usage.record("login", account_id=event.account_id, protocol=event.protocol,
                              detail={"method": event.method, "ip": event.ip})


class SignInRecorders:
    """Several recorders behind one."""

    def __init__(self, *recorders: SignInRecorder) -> None:
        self.recorders = recorders

    def record(self, event: SignInEvent) -> None:
        for recorder in self.recorders:
            recorder.record(event)


class SignInService:
    def __init__(self, ctx: DirectoryContext, accounts: AccountService, second_factor: SecondFactorService,
                 app_passwords: AppPasswordService, throttle: SignInThrottle,
                 recorder: SignInRecorder | None = None, *, verified: VerifiedSecretCache | None = None) -> None:
        self.ctx = ctx
        self.accounts = accounts
        self.second_factor = second_factor
        self.app_passwords = app_passwords
        self.throttle = throttle
        self.recorder: SignInRecorder = recorder if recorder is not None else AuditSignInRecorder(ctx)
        # Mail clients sign in again and again with the same secret: a recent success spares the argon2 check.
        self.verified = verified

    def normalise(self, address: str) -> str:
        text = address.strip().lower()
        return text if "@" in text or not text else f"{text}@{self.ctx.domain}"

    def _event(self, address: str, account: Account | None, protocol: str, ip: str | None, method: str,
               success: bool, reason: str | None = None) -> None:
        self.recorder.record(SignInEvent(self.ctx.now(), address, account.id if account else None, protocol, ip,
                                         method, success, reason))

    def _refuse(self, address: str, ip: str | None, protocol: str, method: str, reason: str,
                account: Account | None = None) -> SignInResult:
        self.throttle.failure(address, ip)
        self._event(address, account, protocol, ip, method, False, reason)
        return SignInResult(SignInOutcome.REFUSED)

    def _accept(self, account: Account, ip: str | None, protocol: str, method: str) -> SignInResult:
        self.throttle.success(account.address, ip)
        self.accounts.record_login(account.id)
        self._event(account.address, account, protocol, ip, method, True)
        return SignInResult(SignInOutcome.OK, account)

    def password_step(self, address: str, password: str, *, ip: str | None, protocol: str = "web") -> SignInResult:
        """OK, or NEEDS_CODE when two-step sign-in is on (nothing is recorded as a sign-in until the code)."""
        address = self.normalise(address)
        verdict = self.throttle.check(address, ip)
        if not verdict.allowed:
            self._event(address, None, protocol, ip, "password", False, "throttled")
            return SignInResult(SignInOutcome.THROTTLED, retry_after_s=verdict.retry_after_s)
        account = self.accounts.authenticate(address, password) if address and password else None
        if account is None:
            return self._refuse(address, ip, protocol, "password", "bad_credentials")
        if self.second_factor.is_enabled(account.id):
            return SignInResult(SignInOutcome.NEEDS_CODE, account)
        return self._accept(account, ip, protocol, "password")

    def code_step(self, account: Account, code: str, *, ip: str | None, protocol: str = "web") -> SignInResult:
        verdict = self.throttle.check(account.address, ip)
        if not verdict.allowed:
            self._event(account.address, account, protocol, ip, "totp", False, "throttled")
            return SignInResult(SignInOutcome.THROTTLED, retry_after_s=verdict.retry_after_s)
        method = self.second_factor.verify(account.id, code)
        if method is None:
            return self._refuse(account.address, ip, protocol, "totp", "bad_code", account)
        return self._accept(account, ip, protocol, method)

    def mail_client(self, address: str, secret: str, *, ip: str | None, protocol: str) -> SignInResult:
        """The check behind IMAP LOGIN/AUTHENTICATE and SMTP AUTH.

        With two-step sign-in on only app passwords are accepted (a mail client cannot ask for a code); otherwise
        the account password, or an app password made earlier.
        """
        address = self.normalise(address)
        verdict = self.throttle.check(address, ip)
        if not verdict.allowed:
            self._event(address, None, protocol, ip, "password", False, "throttled")
            return SignInResult(SignInOutcome.THROTTLED, retry_after_s=verdict.retry_after_s)
        try:
            account = self.accounts.show(address) if address else None
        except NotFound:  # an unknown address is refused like a wrong password
            account = None
        if account is None or account.status != "active":
            return self._refuse(address, ip, protocol, "password", "bad_credentials")
        if self.app_passwords.verify(account.id, secret, verified=self.verified) is not None:
            return self._accept(account, ip, protocol, "app_password")
        if self.second_factor.is_enabled(account.id):
            return self._refuse(address, ip, protocol, "password", "app_password_required", account)
        if self.accounts.authenticate(address, secret, verified=self.verified) is None:
            return self._refuse(address, ip, protocol, "password", "bad_credentials", account)
        return self._accept(account, ip, protocol, "password")
