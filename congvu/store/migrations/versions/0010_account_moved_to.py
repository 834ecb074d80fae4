"""accounts.moved_to: a removed account's new address

Revision ID: 0010_moved_to
Revises: 0001

Mail to a removed account whose owner has a new address is refused with that address to try instead (SMTP 551,
RFC 5321 §3.4) rather than "no forwarding address".
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_moved_to"
down_revision = "0001"  # the directory's accounts
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("accounts", sa.Column("moved_to", sa.String(length=320), nullable=True))


def downgrade() -> None:
    # In place on both engines (SQLite 3.35 and later): rebuilding ``accounts`` would touch every table that
    # refers to it.
    op.execute("ALTER TABLE accounts DROP COLUMN moved_to")
