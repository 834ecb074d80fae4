"""Account access as one object, built once per installation like :class:`~congvu.directory.service.Directory`.

The throttle is passed in so that the web, SMTP and IMAP of one process count failures together.
"""

from __future__ import annotations

from congvu.access.api_tokens import ApiTokenService
from congvu.access.app_passwords import AppPasswordService
from congvu.access.review import AccountReview, AuditReader
from congvu.access.scope import ScopeService
from congvu.access.second_factor import SecondFactorService
from congvu.access.sessions import SessionService
from congvu.access.signin import (
    AuditSignInRecorder,
    SignInRecorder,
    SignInRecorders,
    SignInService,
    UsageSignInRecorder,
)
from congvu.directory.service import Directory
from congvu.mailstore.usage import UsageRecorder
from congvu.security.throttle import SignInThrottle
from congvu.security.verified_cache import VerifiedSecretCache


class Access:
    def __init__(self, directory: Directory, *, throttle: SignInThrottle | None = None,
                 recorder: SignInRecorder | None = None, verified: VerifiedSecretCache | None = None) -> None:
        ctx = directory.ctx
        self.throttle = throttle if throttle is not None else SignInThrottle()
        self.sessions = SessionService(ctx)
        self.second_factor = SecondFactorService(ctx)
        self.app_passwords = AppPasswordService(ctx)
        self.api_tokens = ApiTokenService(ctx)
        self.scope = ScopeService(ctx, directory.agencies, directory.accounts)
        self.review = AccountReview(ctx)
        self.audit = AuditReader(ctx)
        self.signin = SignInService(ctx, directory.accounts, self.second_factor, self.app_passwords, self.throttle,
                                    recorder, verified=verified)


def access_for(directory: Directory, *, throttle: SignInThrottle | None = None,
               usage: UsageRecorder | None = None, verified: VerifiedSecretCache | None = None) -> Access:
    """The installation's access services, recording every sign-in in the audit log (and as a usage event)."""
    recorders: list[SignInRecorder] = [AuditSignInRecorder(directory.ctx)]
    if usage is not None:
        recorders.append(UsageSignInRecorder(usage))
    return Access(directory, throttle=throttle, recorder=SignInRecorders(*recorders), verified=verified)
