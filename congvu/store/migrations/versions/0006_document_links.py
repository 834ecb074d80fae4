"""document links: an incoming entry replaced by or updated by a later package (QCVN 102 Bussiness 3 and 2), and
the document an outgoing one replaces

Revision ID: 0006_doc_links
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_doc_links"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('doc_incoming_links',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('incoming_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('document_id', sa.String(length=120), nullable=False),
    sa.Column('other_incoming_id', sa.Integer(), nullable=True),
    sa.Column('package_sha256', sa.String(length=64), nullable=True),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['incoming_id'], ['doc_incoming.id'],
                            name=op.f('fk_doc_incoming_links_incoming_id_doc_incoming')),
    sa.ForeignKeyConstraint(['other_incoming_id'], ['doc_incoming.id'],
                            name=op.f('fk_doc_incoming_links_other_incoming_id_doc_incoming')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_doc_incoming_links'))
    )
    with op.batch_alter_table('doc_incoming_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_doc_incoming_links_incoming_id'), ['incoming_id'], unique=False)
    with op.batch_alter_table('doc_outgoing', schema=None) as batch_op:
        batch_op.add_column(sa.Column('replaces', sa.String(length=120), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('doc_outgoing', schema=None) as batch_op:
        batch_op.drop_column('replaces')
    with op.batch_alter_table('doc_incoming_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_doc_incoming_links_incoming_id'))
    op.drop_table('doc_incoming_links')
