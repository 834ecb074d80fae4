"""Pure security primitives: password hashing, TOTP, sign-in throttling, and the mail authentication verifiers
(SPF, DKIM, DMARC, ARC and the ``Authentication-Results`` field) with the DNS resolver injected."""
