"""Pure security primitives: password hashing, and (later) SPF/DKIM/DMARC verifiers and TOTP."""
