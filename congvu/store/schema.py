"""The tables of the directory (agencies, accounts, addresses, aliases, groups) and of the installation itself.

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
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
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
