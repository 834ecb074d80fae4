"""message trace: one row per hop of a message (refusals, acceptance, local delivery, held mail, outbound
attempts, bounces)

Revision ID: 0006_trace
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_trace"
down_revision = "0001"
branch_labels = None
depends_on = None

UTC = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "mail_trace",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("at", UTC, nullable=False),
        sa.Column("trace_id", sa.String(length=40), nullable=False),
        sa.Column("message_id", sa.String(length=500), nullable=True),
        sa.Column("event", sa.String(length=20), nullable=False),
        sa.Column("stage", sa.String(length=10), nullable=True),
        sa.Column("sender", sa.String(length=320), nullable=False),
        sa.Column("recipient", sa.String(length=320), nullable=True),
        sa.Column("code", sa.Integer(), nullable=True),
        sa.Column("enhanced", sa.String(length=16), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("remote_host", sa.String(length=300), nullable=True),
        sa.Column("folder", sa.String(length=100), nullable=True),
        sa.Column("client_ip", sa.String(length=64), nullable=True),
        sa.Column("listener", sa.String(length=20), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_trace")),
    )
    op.create_index(op.f("ix_mail_trace_at"), "mail_trace", ["at"])
    op.create_index(op.f("ix_mail_trace_trace_id"), "mail_trace", ["trace_id"])
    op.create_index(op.f("ix_mail_trace_message_id"), "mail_trace", ["message_id"])
    op.create_index(op.f("ix_mail_trace_sender"), "mail_trace", ["sender"])
    op.create_index(op.f("ix_mail_trace_recipient"), "mail_trace", ["recipient"])


def downgrade() -> None:
    for column in ("recipient", "sender", "message_id", "trace_id", "at"):
        op.drop_index(op.f(f"ix_mail_trace_{column}"), table_name="mail_trace")
    op.drop_table("mail_trace")
