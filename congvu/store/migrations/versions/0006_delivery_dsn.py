"""delivery status notification requests (RFC 3461) kept with queued mail

Revision ID: 0006_dsn
Revises: 0003 (the delivery capability's branch, whose tables it extends)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_dsn"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbound_messages") as batch:
        batch.add_column(sa.Column("dsn_ret", sa.String(length=4), nullable=True))
        batch.add_column(sa.Column("dsn_envid", sa.String(length=100), nullable=True))
    with op.batch_alter_table("outbound_recipients") as batch:
        batch.add_column(sa.Column("dsn_notify", sa.String(length=40), nullable=True))
        batch.add_column(sa.Column("dsn_orcpt", sa.String(length=500), nullable=True))
        batch.add_column(sa.Column("remote_dsn", sa.Boolean(), nullable=True))
        batch.add_column(sa.Column("delay_notified", sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("outbound_recipients") as batch:
        batch.drop_column("delay_notified")
        batch.drop_column("remote_dsn")
        batch.drop_column("dsn_orcpt")
        batch.drop_column("dsn_notify")
    with op.batch_alter_table("outbound_messages") as batch:
        batch.drop_column("dsn_envid")
        batch.drop_column("dsn_ret")
