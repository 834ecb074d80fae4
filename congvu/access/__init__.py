"""Account access: sign-in with throttling and two-step codes, web sessions, app passwords, API tokens, the
administrator's scope, the account review and the audit log reader."""
