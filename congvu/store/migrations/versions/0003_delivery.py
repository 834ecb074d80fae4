"""outbound queue tables (messages waiting to leave, one row per recipient)

Revision ID: 0003
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0001"
branch_labels = None
depends_on = None

UTC = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "outbound_messages",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("mail_from", sa.String(length=320), nullable=False),
        sa.Column("blob_sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("submitted_by", sa.Integer(), nullable=True),
        sa.Column("message_id", sa.String(length=998), nullable=True),
        sa.Column("is_report", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("expires_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(["submitted_by"], ["accounts.id"],
                                name=op.f("fk_outbound_messages_submitted_by_accounts"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbound_messages")),
    )
    op.create_index(op.f("ix_outbound_messages_created_at"), "outbound_messages", ["created_at"])
    op.create_table(
        "outbound_recipients",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("recipient", sa.String(length=320), nullable=False),
        sa.Column("domain", sa.String(length=253), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UTC, nullable=False),
        sa.Column("last_attempt_at", UTC, nullable=True),
        sa.Column("last_code", sa.Integer(), nullable=True),
        sa.Column("last_enhanced", sa.String(length=16), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("remote_host", sa.String(length=300), nullable=True),
        sa.Column("finished_at", UTC, nullable=True),
        sa.ForeignKeyConstraint(["message_id"], ["outbound_messages.id"],
                                name=op.f("fk_outbound_recipients_message_id_outbound_messages"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbound_recipients")),
    )
    op.create_index(op.f("ix_outbound_recipients_message_id"), "outbound_recipients", ["message_id"])
    op.create_index("ix_outbound_recipients_due", "outbound_recipients", ["status", "next_attempt_at"])


def downgrade() -> None:
    op.drop_index("ix_outbound_recipients_due", table_name="outbound_recipients")
    op.drop_index(op.f("ix_outbound_recipients_message_id"), table_name="outbound_recipients")
    op.drop_table("outbound_recipients")
    op.drop_index(op.f("ix_outbound_messages_created_at"), table_name="outbound_messages")
    op.drop_table("outbound_messages")
