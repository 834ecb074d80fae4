"""document tables: registers and counters, outgoing and incoming documents, files, recipients, statuses,
signatures, quarantine, outbox, exchange peers, trust anchors, agency profiles, paper policy

Revision ID: 0005
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('doc_events',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('direction', sa.String(length=10), nullable=False),
    sa.Column('document_id', sa.String(length=120), nullable=False),
    sa.Column('organ_id', sa.String(length=35), nullable=False),
    sa.Column('status_code', sa.String(length=2), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('staff', sa.String(length=300), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_doc_events'))
    )
    with op.batch_alter_table('doc_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_doc_events_document_id'), ['document_id'], unique=False)

    op.create_table('doc_exchange_peers',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('base_url', sa.String(length=500), nullable=False),
    sa.Column('local_system_id', sa.String(length=100), nullable=False),
    sa.Column('remote_system_id', sa.String(length=100), nullable=False),
    sa.Column('secret', sa.String(length=200), nullable=False),
    sa.Column('organ_prefixes', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_doc_exchange_peers')),
    sa.UniqueConstraint('name', name=op.f('uq_doc_exchange_peers_name')),
    sa.UniqueConstraint('remote_system_id', name=op.f('uq_doc_exchange_peers_remote_system_id'))
    )
    op.create_table('doc_files',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('owner', sa.String(length=10), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=10), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=200), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_doc_files'))
    )
    with op.batch_alter_table('doc_files', schema=None) as batch_op:
        batch_op.create_index('ix_doc_files_owner', ['owner', 'owner_id'], unique=False)

    op.create_table('doc_outbox',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('document_id', sa.String(length=120), nullable=False),
    sa.Column('sender_organ_id', sa.String(length=35), nullable=False),
    sa.Column('recipient_organ_id', sa.String(length=35), nullable=False),
    sa.Column('transport', sa.String(length=20), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('claimed_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_doc_outbox'))
    )
    with op.batch_alter_table('doc_outbox', schema=None) as batch_op:
        batch_op.create_index('ix_doc_outbox_pending', ['sent_at', 'next_attempt_at'], unique=False)

    op.create_table('doc_paper_policies',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('doc_type', sa.String(length=40), nullable=True),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=True),
    sa.Column('mode', sa.String(length=30), nullable=False),
    sa.Column('signed_exempt', sa.Boolean(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_doc_paper_policies'))
    )
    op.create_table('doc_quarantine',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('transport', sa.String(length=20), nullable=False),
    sa.Column('reason', sa.String(length=40), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('message_en', sa.Text(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=True),
    sa.Column('document_id', sa.String(length=120), nullable=True),
    sa.Column('from_organ_id', sa.String(length=35), nullable=True),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_doc_quarantine'))
    )
    with op.batch_alter_table('doc_quarantine', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_doc_quarantine_received_at'), ['received_at'], unique=False)

    op.create_table('doc_trust_anchors',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('pem', sa.Text(), nullable=False),
    sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_doc_trust_anchors')),
    sa.UniqueConstraint('fingerprint', name=op.f('uq_doc_trust_anchors_fingerprint'))
    )
    op.create_table('doc_signatures',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('file_id', sa.Integer(), nullable=False),
    sa.Column('field_name', sa.String(length=200), nullable=False),
    sa.Column('signer_name', sa.String(length=300), nullable=False),
    sa.Column('signer_subject', sa.Text(), nullable=False),
    sa.Column('issuer', sa.Text(), nullable=False),
    sa.Column('serial', sa.String(length=100), nullable=False),
    sa.Column('signing_time', sa.DateTime(timezone=True), nullable=True),
    sa.Column('intact', sa.Boolean(), nullable=False),
    sa.Column('valid', sa.Boolean(), nullable=False),
    sa.Column('trusted', sa.Boolean(), nullable=False),
    sa.Column('covers_whole_file', sa.Boolean(), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('checked_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['file_id'], ['doc_files.id'], name=op.f('fk_doc_signatures_file_id_doc_files')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_doc_signatures'))
    )
    with op.batch_alter_table('doc_signatures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_doc_signatures_file_id'), ['file_id'], unique=False)

    op.create_table('doc_agency_profiles',
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('place', sa.String(length=100), nullable=True),
    sa.Column('pkcs12_path', sa.Text(), nullable=True),
    sa.Column('passphrase_path', sa.Text(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_doc_agency_profiles_agency_id_agencies')),
    sa.PrimaryKeyConstraint('agency_id', name=op.f('pk_doc_agency_profiles'))
    )
    op.create_table('doc_registers',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('direction', sa.String(length=10), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('doc_types', sa.JSON(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_doc_registers_agency_id_agencies')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_doc_registers')),
    sa.UniqueConstraint('agency_id', 'direction', 'name', name='uq_doc_registers_agency_name')
    )
    with op.batch_alter_table('doc_registers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_doc_registers_agency_id'), ['agency_id'], unique=False)

    op.create_table('doc_incoming',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.String(length=120), nullable=False),
    sa.Column('from_organ_id', sa.String(length=35), nullable=False),
    sa.Column('from_name', sa.String(length=300), nullable=False),
    sa.Column('number_text', sa.String(length=80), nullable=False),
    sa.Column('type_name', sa.String(length=100), nullable=False),
    sa.Column('subject', sa.String(length=500), nullable=False),
    sa.Column('place', sa.String(length=100), nullable=True),
    sa.Column('promulgation_date', sa.Date(), nullable=True),
    sa.Column('signer_competence', sa.String(length=200), nullable=False),
    sa.Column('signer_position', sa.String(length=100), nullable=False),
    sa.Column('signer_name', sa.String(length=50), nullable=False),
    sa.Column('urgency', sa.Integer(), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=True),
    sa.Column('business_doc_type', sa.Integer(), nullable=False),
    sa.Column('paper', sa.Boolean(), nullable=False),
    sa.Column('package_sha256', sa.String(length=64), nullable=False),
    sa.Column('transport', sa.String(length=20), nullable=False),
    sa.Column('arrived_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('warnings', sa.JSON(), nullable=False),
    sa.Column('signature_summary', sa.String(length=40), nullable=False),
    sa.Column('register_id', sa.Integer(), nullable=True),
    sa.Column('arrival_year', sa.Integer(), nullable=True),
    sa.Column('arrival_number', sa.Integer(), nullable=True),
    sa.Column('arrival_date', sa.Date(), nullable=True),
    sa.Column('registered_by', sa.String(length=320), nullable=True),
    sa.Column('status_code', sa.String(length=2), nullable=False),
    sa.Column('status_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('before_recall', sa.String(length=2), nullable=True),
    sa.Column('handler', sa.String(length=300), nullable=True),
    sa.Column('handling_deadline', sa.Date(), nullable=True),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_doc_incoming_agency_id_agencies')),
    sa.ForeignKeyConstraint(['register_id'], ['doc_registers.id'], name=op.f('fk_doc_incoming_register_id_doc_registers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_doc_incoming')),
    sa.UniqueConstraint('agency_id', 'document_id', name='uq_doc_incoming_agency_document'),
    sa.UniqueConstraint('register_id', 'arrival_year', 'arrival_number', name='uq_doc_incoming_arrival_number')
    )
    with op.batch_alter_table('doc_incoming', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_doc_incoming_agency_id'), ['agency_id'], unique=False)
        batch_op.create_index('ix_doc_incoming_document_id', ['document_id'], unique=False)

    op.create_table('doc_outgoing',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('document_id', sa.String(length=120), nullable=True),
    sa.Column('doc_type', sa.String(length=40), nullable=False),
    sa.Column('type_name', sa.String(length=100), nullable=False),
    sa.Column('subject', sa.String(length=500), nullable=False),
    sa.Column('content', sa.Text(), nullable=True),
    sa.Column('drafting_unit', sa.String(length=60), nullable=True),
    sa.Column('register_id', sa.Integer(), nullable=True),
    sa.Column('year', sa.Integer(), nullable=True),
    sa.Column('number', sa.Integer(), nullable=True),
    sa.Column('notation', sa.String(length=60), nullable=True),
    sa.Column('number_text', sa.String(length=80), nullable=True),
    sa.Column('place', sa.String(length=100), nullable=True),
    sa.Column('issued_on', sa.Date(), nullable=True),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('signer_competence', sa.String(length=200), nullable=False),
    sa.Column('signer_position', sa.String(length=100), nullable=False),
    sa.Column('signer_name', sa.String(length=50), nullable=False),
    sa.Column('secrecy', sa.Integer(), nullable=False),
    sa.Column('urgency', sa.Integer(), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=True),
    sa.Column('kinh_gui', sa.JSON(), nullable=False),
    sa.Column('noi_nhan', sa.JSON(), nullable=False),
    sa.Column('response_for', sa.JSON(), nullable=False),
    sa.Column('signed', sa.Boolean(), nullable=False),
    sa.Column('paper', sa.Boolean(), nullable=False),
    sa.Column('edxml_sha256', sa.String(length=64), nullable=True),
    sa.Column('recalled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('recall_reason', sa.Text(), nullable=True),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_by', sa.String(length=320), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_doc_outgoing_agency_id_agencies')),
    sa.ForeignKeyConstraint(['register_id'], ['doc_registers.id'], name=op.f('fk_doc_outgoing_register_id_doc_registers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_doc_outgoing')),
    sa.UniqueConstraint('agency_id', 'year', 'number_text', name='uq_doc_outgoing_agency_number_text'),
    sa.UniqueConstraint('document_id', name=op.f('uq_doc_outgoing_document_id')),
    sa.UniqueConstraint('register_id', 'year', 'number', name='uq_doc_outgoing_register_number')
    )
    with op.batch_alter_table('doc_outgoing', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_doc_outgoing_agency_id'), ['agency_id'], unique=False)

    op.create_table('doc_register_counters',
    sa.Column('register_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('last_number', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['register_id'], ['doc_registers.id'], name=op.f('fk_doc_register_counters_register_id_doc_registers')),
    sa.PrimaryKeyConstraint('register_id', 'year', name=op.f('pk_doc_register_counters'))
    )
    op.create_table('doc_assignments',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('incoming_id', sa.Integer(), nullable=False),
    sa.Column('to_unit', sa.String(length=300), nullable=True),
    sa.Column('to_person', sa.String(length=320), nullable=True),
    sa.Column('instruction', sa.Text(), nullable=True),
    sa.Column('deadline', sa.Date(), nullable=True),
    sa.Column('assigned_by', sa.String(length=320), nullable=False),
    sa.Column('assigned_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['incoming_id'], ['doc_incoming.id'], name=op.f('fk_doc_assignments_incoming_id_doc_incoming')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_doc_assignments'))
    )
    with op.batch_alter_table('doc_assignments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_doc_assignments_incoming_id'), ['incoming_id'], unique=False)

    op.create_table('doc_recipients',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('outgoing_id', sa.Integer(), nullable=False),
    sa.Column('organ_id', sa.String(length=35), nullable=False),
    sa.Column('organ_name', sa.String(length=300), nullable=False),
    sa.Column('local_agency_id', sa.Integer(), nullable=True),
    sa.Column('transport', sa.String(length=20), nullable=False),
    sa.Column('purpose', sa.String(length=20), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('status_code', sa.String(length=2), nullable=True),
    sa.Column('status_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('status_description', sa.Text(), nullable=True),
    sa.Column('paper_required', sa.Boolean(), nullable=False),
    sa.Column('paper_note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['local_agency_id'], ['agencies.id'], name=op.f('fk_doc_recipients_local_agency_id_agencies')),
    sa.ForeignKeyConstraint(['outgoing_id'], ['doc_outgoing.id'], name=op.f('fk_doc_recipients_outgoing_id_doc_outgoing')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_doc_recipients')),
    sa.UniqueConstraint('outgoing_id', 'organ_id', name='uq_doc_recipients_document_organ')
    )
    with op.batch_alter_table('doc_recipients', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_doc_recipients_outgoing_id'), ['outgoing_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('doc_recipients', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_doc_recipients_outgoing_id'))

    op.drop_table('doc_recipients')
    with op.batch_alter_table('doc_assignments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_doc_assignments_incoming_id'))

    op.drop_table('doc_assignments')
    op.drop_table('doc_register_counters')
    with op.batch_alter_table('doc_outgoing', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_doc_outgoing_agency_id'))

    op.drop_table('doc_outgoing')
    with op.batch_alter_table('doc_incoming', schema=None) as batch_op:
        batch_op.drop_index('ix_doc_incoming_document_id')
        batch_op.drop_index(batch_op.f('ix_doc_incoming_agency_id'))

    op.drop_table('doc_incoming')
    with op.batch_alter_table('doc_registers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_doc_registers_agency_id'))

    op.drop_table('doc_registers')
    op.drop_table('doc_agency_profiles')
    with op.batch_alter_table('doc_signatures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_doc_signatures_file_id'))

    op.drop_table('doc_signatures')
    op.drop_table('doc_trust_anchors')
    with op.batch_alter_table('doc_quarantine', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_doc_quarantine_received_at'))

    op.drop_table('doc_quarantine')
    op.drop_table('doc_paper_policies')
    with op.batch_alter_table('doc_outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_doc_outbox_pending')

    op.drop_table('doc_outbox')
    with op.batch_alter_table('doc_files', schema=None) as batch_op:
        batch_op.drop_index('ix_doc_files_owner')

    op.drop_table('doc_files')
    op.drop_table('doc_exchange_peers')
    with op.batch_alter_table('doc_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_doc_events_document_id'))

    op.drop_table('doc_events')
