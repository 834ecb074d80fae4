"""folder access control lists (RFC 4314 SETACL/DELETEACL)

Revision ID: 0006_acl
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_acl"
down_revision = "0002"  # the mail store's folders
branch_labels = None
depends_on = None

UTC = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "folder_acl",
        sa.Column("folder_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("rights", sa.String(length=40), nullable=False),
        sa.Column("granted_by", sa.Integer(), nullable=True),
        sa.Column("granted_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(["folder_id"], ["folders.id"], name=op.f("fk_folder_acl_folder_id_folders"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], name=op.f("fk_folder_acl_account_id_accounts"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["granted_by"], ["accounts.id"], name=op.f("fk_folder_acl_granted_by_accounts"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("folder_id", "account_id", name=op.f("pk_folder_acl")),
    )
    op.create_index(op.f("ix_folder_acl_account_id"), "folder_acl", ["account_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_folder_acl_account_id"), table_name="folder_acl")
    op.drop_table("folder_acl")
