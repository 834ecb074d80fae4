"""Access control lists of single folders (RFC 4314 SETACL/DELETEACL).

- ``folder_acl``: the rights one account holds on one folder of someone else's mailbox, granted by the
  mailbox's owner or, for an agency mailbox, by the agency's administrator. On that folder the entry replaces
  what a directory delegation (``mailbox_delegates``, the agency's clerks) gives the same account; an empty
  ``rights`` withdraws them there. Entries go with the folder (and with either account).
"""

from __future__ import annotations

from sqlalchemy import Column, DateTime, ForeignKey, Integer, String, Table

from congvu.store.schema import metadata

UTC = DateTime(timezone=True)

folder_acl = Table(
    "folder_acl",
    metadata,
    Column("folder_id", Integer, ForeignKey("folders.id", ondelete="CASCADE"), primary_key=True),
    Column("account_id", Integer, ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True, index=True),
    Column("rights", String(40), nullable=False),  # RFC 4314 rights letters
    Column("granted_by", Integer, ForeignKey("accounts.id", ondelete="SET NULL"), nullable=True),
    Column("granted_at", UTC, nullable=False),
)
