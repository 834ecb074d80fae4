"""Fixtures of the IMAP server tests; they live in :mod:`imap_harness` with the helpers the tests import."""

from imap_harness import province, server, start_server  # noqa: F401
