"""text backlog: large bodies are folded and indexed for search after delivery

Revision ID: 0009_text_backlog
Revises: 0008_text_detail

``message_text_backlog`` lists the contents whose ``search_body`` is still empty because their body is folded and
put in the text index after the delivery committed (congvu/mailstore/textbacklog.py). Going back folds nothing:
it refuses while contents wait there, since the earlier code would never search their bodies.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_text_backlog"
down_revision = "0008_text_detail"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "message_text_backlog",
        sa.Column("content_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("queued_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["content_id"], ["message_contents.id"],
                                name=op.f("fk_message_text_backlog_content_id_message_contents"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("content_id", name=op.f("pk_message_text_backlog")),
    )


def downgrade() -> None:
    waiting = op.get_bind().execute(sa.text("SELECT count(*) FROM message_text_backlog")).scalar_one()
    if waiting:
        raise RuntimeError(
            f"{waiting} thư chưa được lập chỉ mục văn bản: chạy congvu serve cho đến khi chỉ mục bắt kịp rồi hạ cấp lại "
            f"({waiting} messages are not yet in the text index: run congvu serve until it catches up, then downgrade)")
    op.drop_table("message_text_backlog")
