"""The tables of the directory (agencies, accounts, addresses, aliases, groups), of the mail store (folders,
message contents, messages, per-user \\Seen, expunge tombstones, quota usage, usage events) and of the
installation itself.

One schema for SQLite and PostgreSQL, changed only through Alembic migrations (``congvu/store/migrations``).
Times are stored in UTC. Text is stored NFC; ``*_fold`` columns hold the search fold (diacritics off, đ → d,
lower case) and ``*_key`` columns the Vietnamese collation key, so that search and ordering run in the database
the same way on both engines.

Address ownership is kept in ``address_registry``: every address ever handed out (account, alias, group) has a
row, released with a ``reusable_after`` date when its owner is removed, so that an address is never given to
someone else within the retention period.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

UTC = DateTime(timezone=True)

settings_kv = Table(
    "settings_kv",
    metadata,
    Column("key", String(100), primary_key=True),
    Column("value", JSON, nullable=False),
    Column("updated_at", UTC, nullable=False),
)

domains = Table(
    "domains",
    metadata,
    Column("name", String(253), primary_key=True),
    Column("kind", String(20), nullable=False),  # primary | additional | alias
    Column("alias_of", String(253), nullable=True),
    Column("created_at", UTC, nullable=False),
)

rollout_waves = Table(
    "rollout_waves",
    metadata,
    Column("number", Integer, primary_key=True),
    Column("name", String(200), nullable=False),
    Column("starts_on", Date, nullable=True),
    Column("description", Text, nullable=True),
)

agencies = Table(
    "agencies",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("code", String(35), nullable=False, unique=True),
    Column("legacy_code", String(13), nullable=True, unique=True),
    Column("name", String(300), nullable=False),
    Column("name_fold", String(300), nullable=False, index=True),
    Column("name_key", String(1200), nullable=False),
    Column("short_name", String(40), nullable=False),
    Column("level", String(20), nullable=False),  # province | department | district | division | commune
    Column("parent_id", Integer, ForeignKey("agencies.id"), nullable=True, index=True),
    Column("wave", Integer, ForeignKey("rollout_waves.number"), nullable=True),
    Column("sort_order", Integer, nullable=False, default=0),
    Column("status", String(20), nullable=False, default="active"),  # active | removed
    Column("created_at", UTC, nullable=False),
    Column("updated_at", UTC, nullable=False),
    Column("removed_at", UTC, nullable=True),
)

accounts = Table(
    "accounts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("address", String(320), nullable=False, unique=True),
    Column("kind", String(20), nullable=False),  # person | agency | system
    Column("full_name", String(300), nullable=False),
    Column("name_fold", String(300), nullable=False, index=True),
    Column("name_key", String(1200), nullable=False, index=True),
    Column("agency_id", Integer, ForeignKey("agencies.id"), nullable=True, index=True),
    Column("unit", String(300), nullable=True),
    Column("position", String(300), nullable=True),
    Column("phone", String(40), nullable=True),
    Column("status", String(20), nullable=False),  # active | disabled | removed
    Column("status_reason", Text, nullable=True),
    Column("status_changed_at", UTC, nullable=True),
    Column("moved_to", String(320), nullable=True),  # a removed account's new address, given in SMTP's 551 answer
    Column("retention_until", UTC, nullable=True),
    Column("password_hash", String(200), nullable=True),
    Column("created_at", UTC, nullable=False),
    Column("updated_at", UTC, nullable=False),
    Column("last_login_at", UTC, nullable=True),
    Column("last_import_id", Integer, ForeignKey("import_batches.id"), nullable=True),
)

account_roles = Table(
    "account_roles",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("account_id", Integer, ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("role", String(30), nullable=False),  # province_admin | agency_admin | clerk | leader
    Column("agency_id", Integer, ForeignKey("agencies.id"), nullable=True),
    UniqueConstraint("account_id", "role", "agency_id", name="uq_account_roles_scope"),
)

mailbox_delegates = Table(
    "mailbox_delegates",
    metadata,
    Column("mailbox_account_id", Integer, ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True),
    Column("delegate_account_id", Integer, ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True),
    Column("rights", String(40), nullable=False),  # RFC 4314 rights letters
    Column("created_at", UTC, nullable=False),
)

address_registry = Table(
    "address_registry",
    metadata,
    Column("address", String(320), primary_key=True),
    Column("kind", String(20), nullable=False),  # account | alias | group
    Column("owner_id", Integer, nullable=False),
    Column("claimed_at", UTC, nullable=False),
    Column("released_at", UTC, nullable=True),
    Column("reusable_after", UTC, nullable=True),
)

aliases = Table(
    "aliases",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("address", String(320), nullable=False, unique=True),
    Column("description", Text, nullable=True),
    Column("created_at", UTC, nullable=False),
)

alias_targets = Table(
    "alias_targets",
    metadata,
    Column("alias_id", Integer, ForeignKey("aliases.id", ondelete="CASCADE"), primary_key=True),
    Column("target", String(320), primary_key=True),
)

groups = Table(
    "groups",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("address", String(320), nullable=False, unique=True),
    Column("name", String(300), nullable=False),
    Column("name_fold", String(300), nullable=False),
    Column("kind", String(20), nullable=False),  # static | rule
    Column("rule", JSON, nullable=True),
    Column("description", Text, nullable=True),
    Column("created_at", UTC, nullable=False),
)

group_members = Table(
    "group_members",
    metadata,
    Column("group_id", Integer, ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True),
    Column("member", String(320), primary_key=True),
)

import_batches = Table(
    "import_batches",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", UTC, nullable=False),
    Column("source", String(500), nullable=False),
    Column("actor", String(320), nullable=True),
    Column("created_count", Integer, nullable=False),
    Column("matched_count", Integer, nullable=False),
    Column("rejected_count", Integer, nullable=False),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("at", UTC, nullable=False, index=True),
    Column("actor", String(320), nullable=False),
    Column("action", String(60), nullable=False),
    Column("target", String(400), nullable=False),
    Column("details", JSON, nullable=True),
)

blobs = Table(
    "blobs",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("size", BigInteger, nullable=False),
    Column("created_at", UTC, nullable=False),
)

Index("ix_agencies_parent_order", agencies.c.parent_id, agencies.c.sort_order)

# --- The mail store -------------------------------------------------------------------------------------------
# One row per account that has mail folders: quota usage (RFC 9208 STORAGE and MESSAGE) and the last
# UIDVALIDITY handed out, so that a folder deleted and created again under the same name gets a larger one
# (RFC 9051 §2.3.1.1).
mail_accounts = Table(
    "mail_accounts",
    metadata,
    Column("account_id", Integer, ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True),
    Column("bytes_used", BigInteger, nullable=False, default=0),
    Column("messages_used", BigInteger, nullable=False, default=0),
    Column("last_uidvalidity", BigInteger, nullable=False, default=0),
    Column("created_at", UTC, nullable=False),
)

# IMAP mailboxes. uidnext and highestmodseq are the counters every writer bumps with one UPDATE … RETURNING
# (row-locked on PostgreSQL, serialised by BEGIN IMMEDIATE on SQLite), so UIDs are never reused.
folders = Table(
    "folders",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("account_id", Integer, ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(1000), nullable=False),  # NFC, "/" between levels
    Column("special_use", String(20), nullable=True),  # RFC 6154: \Sent \Drafts \Trash \Junk \Archive
    Column("uidvalidity", BigInteger, nullable=False),
    Column("uidnext", BigInteger, nullable=False, default=1),
    Column("highestmodseq", BigInteger, nullable=False, default=1),
    Column("first_recent_uid", BigInteger, nullable=False, default=1),  # \Recent not yet claimed by a session
    Column("subscribed", Boolean, nullable=False, default=True),
    Column("created_at", UTC, nullable=False),
    UniqueConstraint("account_id", "name", name="uq_folders_account_name"),
)

# One row per distinct content (keyed by the blob's SHA-256): the index computed once at delivery.
# *_fold and search_* hold the search fold (congvu.vntext.fold); search_headers keeps one folded line per header
# field, each line starting with "\n", so that HEADER name value can be checked per field. sort_* are Vietnamese
# collation keys (congvu.vntext.collation), sort_from/to/cc the first address's mailbox (RFC 5256 §3).
# Text search index: FTS5 table message_text (trigram, detail=none: migrations 0002 and 0008) on SQLite, pg_trgm GIN
# indexes on PostgreSQL (migration 0002).
message_contents = Table(
    "message_contents",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("sha256", String(64), nullable=False, unique=True),
    Column("size", BigInteger, nullable=False),
    Column("envelope_wire", LargeBinary, nullable=False),
    Column("body_wire", LargeBinary, nullable=False),
    Column("bodystructure_wire", LargeBinary, nullable=False),
    Column("parts", Text, nullable=False),
    Column("subject", Text, nullable=False),
    Column("from_addr", Text, nullable=False),
    Column("to_addr", Text, nullable=False),
    Column("cc_addr", Text, nullable=False),
    Column("bcc_addr", Text, nullable=False),
    Column("sent_date", UTC, nullable=True),
    Column("sent_day", Date, nullable=True),  # the Date header's day in its own zone (SENTON, RFC 9051 §6.4.4)
    Column("message_id", Text, nullable=True),
    Column("in_reply_to", Text, nullable=True),
    Column("references", Text, nullable=False),  # message ids separated by spaces
    Column("has_attachments", Boolean, nullable=False),
    Column("attachments", JSON, nullable=False),
    Column("subject_fold", Text, nullable=False),
    Column("from_fold", Text, nullable=False),
    Column("to_fold", Text, nullable=False),
    Column("cc_fold", Text, nullable=False),
    Column("bcc_fold", Text, nullable=False),
    Column("search_headers", Text, nullable=False),
    Column("search_body", Text, nullable=False),
    Column("sort_subject", Text, nullable=False),
    Column("sort_from", Text, nullable=False),
    Column("sort_to", Text, nullable=False),
    Column("sort_cc", Text, nullable=False),
    Column("display_from", Text, nullable=False),
    Column("display_to", Text, nullable=False),
    Column("created_at", UTC, nullable=False),
)

# Contents whose body text is not yet folded and indexed for search: a large body is folded and put in the text
# index after its delivery has committed (congvu.mailstore.textbacklog); search_body is '' until then, and a text
# search first brings the contents of its folder up to date.
message_text_backlog = Table(
    "message_text_backlog",
    metadata,
    Column("content_id", BigInteger().with_variant(Integer, "sqlite"),
           ForeignKey("message_contents.id", ondelete="CASCADE"), primary_key=True),
    Column("queued_at", UTC, nullable=False),
)

# A message in a folder. system_flags is a bit set (\Seen 1, \Answered 2, \Flagged 4, \Deleted 8, \Draft 16);
# keywords are space-separated atoms. size repeats the content's so that SELECT reads one table.
messages = Table(
    "messages",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("folder_id", Integer, ForeignKey("folders.id", ondelete="CASCADE"), nullable=False),
    Column("uid", BigInteger, nullable=False),
    Column("modseq", BigInteger, nullable=False),
    Column("content_id", BigInteger().with_variant(Integer, "sqlite"), ForeignKey("message_contents.id"),
           nullable=False, index=True),
    Column("internal_date", UTC, nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("system_flags", Integer, nullable=False, default=0),
    Column("keywords", Text, nullable=False, default=""),
    UniqueConstraint("folder_id", "uid", name="uq_messages_folder_uid"),
)

# \Seen of a delegate on a shared (agency) mailbox: per user (RFC 4314 §4 right "s").
message_seen = Table(
    "message_seen",
    metadata,
    Column("message_id", BigInteger().with_variant(Integer, "sqlite"),
           ForeignKey("messages.id", ondelete="CASCADE"), primary_key=True),
    Column("account_id", Integer, ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True, index=True),
)

# Expunged UIDs with the MODSEQ of their removal, for QRESYNC VANISHED (RFC 7162 §3.2.10).
message_tombstones = Table(
    "message_tombstones",
    metadata,
    Column("folder_id", Integer, ForeignKey("folders.id", ondelete="CASCADE"), primary_key=True),
    Column("uid", BigInteger, primary_key=True),
    Column("modseq", BigInteger, nullable=False),
)

# What people do, for monitoring: kind login | inbox_check | send; protocol imap | smtp | web | …
usage_events = Table(
    "usage_events",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("at", UTC, nullable=False, index=True),
    Column("account_id", Integer, nullable=True, index=True),
    Column("kind", String(20), nullable=False),
    Column("protocol", String(20), nullable=False),
    Column("detail", JSON, nullable=True),
)

Index("ix_messages_folder_modseq", messages.c.folder_id, messages.c.modseq)
Index("ix_message_tombstones_folder_modseq", message_tombstones.c.folder_id, message_tombstones.c.modseq)
