"""mail store: folders, message contents, messages, per-user seen, tombstones, quota usage, usage events

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 09:00:00

Text search index (see congvu/mailstore/textsearch.py for the reasons):
- SQLite: FTS5 table message_text, tokenizer trigram, external content message_contents(search_headers,
  search_body), kept in step by triggers.
- PostgreSQL: pg_trgm GIN indexes on message_contents.search_headers and search_body. When the extension cannot
  be created (no privilege), searches still work, by scanning.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
UTC = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table('mail_accounts',
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('bytes_used', sa.BigInteger(), nullable=False),
    sa.Column('messages_used', sa.BigInteger(), nullable=False),
    sa.Column('last_uidvalidity', sa.BigInteger(), nullable=False),
    sa.Column('created_at', UTC, nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_mail_accounts_account_id_accounts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('account_id', name=op.f('pk_mail_accounts'))
    )
    op.create_table('folders',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=1000), nullable=False),
    sa.Column('special_use', sa.String(length=20), nullable=True),
    sa.Column('uidvalidity', sa.BigInteger(), nullable=False),
    sa.Column('uidnext', sa.BigInteger(), nullable=False),
    sa.Column('highestmodseq', sa.BigInteger(), nullable=False),
    sa.Column('first_recent_uid', sa.BigInteger(), nullable=False),
    sa.Column('subscribed', sa.Boolean(), nullable=False),
    sa.Column('created_at', UTC, nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_folders_account_id_accounts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_folders')),
    sa.UniqueConstraint('account_id', 'name', name='uq_folders_account_name')
    )
    op.create_table('message_contents',
    sa.Column('id', ID, autoincrement=True, nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('envelope_wire', sa.LargeBinary(), nullable=False),
    sa.Column('body_wire', sa.LargeBinary(), nullable=False),
    sa.Column('bodystructure_wire', sa.LargeBinary(), nullable=False),
    sa.Column('parts', sa.Text(), nullable=False),
    sa.Column('subject', sa.Text(), nullable=False),
    sa.Column('from_addr', sa.Text(), nullable=False),
    sa.Column('to_addr', sa.Text(), nullable=False),
    sa.Column('cc_addr', sa.Text(), nullable=False),
    sa.Column('bcc_addr', sa.Text(), nullable=False),
    sa.Column('sent_date', UTC, nullable=True),
    sa.Column('sent_day', sa.Date(), nullable=True),
    sa.Column('message_id', sa.Text(), nullable=True),
    sa.Column('in_reply_to', sa.Text(), nullable=True),
    sa.Column('references', sa.Text(), nullable=False),
    sa.Column('has_attachments', sa.Boolean(), nullable=False),
    sa.Column('attachments', sa.JSON(), nullable=False),
    sa.Column('subject_fold', sa.Text(), nullable=False),
    sa.Column('from_fold', sa.Text(), nullable=False),
    sa.Column('to_fold', sa.Text(), nullable=False),
    sa.Column('cc_fold', sa.Text(), nullable=False),
    sa.Column('bcc_fold', sa.Text(), nullable=False),
    sa.Column('search_headers', sa.Text(), nullable=False),
    sa.Column('search_body', sa.Text(), nullable=False),
    sa.Column('sort_subject', sa.Text(), nullable=False),
    sa.Column('sort_from', sa.Text(), nullable=False),
    sa.Column('sort_to', sa.Text(), nullable=False),
    sa.Column('sort_cc', sa.Text(), nullable=False),
    sa.Column('display_from', sa.Text(), nullable=False),
    sa.Column('display_to', sa.Text(), nullable=False),
    sa.Column('created_at', UTC, nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_message_contents')),
    sa.UniqueConstraint('sha256', name=op.f('uq_message_contents_sha256'))
    )
    op.create_table('messages',
    sa.Column('id', ID, autoincrement=True, nullable=False),
    sa.Column('folder_id', sa.Integer(), nullable=False),
    sa.Column('uid', sa.BigInteger(), nullable=False),
    sa.Column('modseq', sa.BigInteger(), nullable=False),
    sa.Column('content_id', ID, nullable=False),
    sa.Column('internal_date', UTC, nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('system_flags', sa.Integer(), nullable=False),
    sa.Column('keywords', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['content_id'], ['message_contents.id'], name=op.f('fk_messages_content_id_message_contents')),
    sa.ForeignKeyConstraint(['folder_id'], ['folders.id'], name=op.f('fk_messages_folder_id_folders'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_messages')),
    sa.UniqueConstraint('folder_id', 'uid', name='uq_messages_folder_uid')
    )
    op.create_index(op.f('ix_messages_content_id'), 'messages', ['content_id'], unique=False)
    op.create_index('ix_messages_folder_modseq', 'messages', ['folder_id', 'modseq'], unique=False)
    op.create_table('message_seen',
    sa.Column('message_id', ID, nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_message_seen_account_id_accounts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['message_id'], ['messages.id'], name=op.f('fk_message_seen_message_id_messages'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('message_id', 'account_id', name=op.f('pk_message_seen'))
    )
    op.create_index(op.f('ix_message_seen_account_id'), 'message_seen', ['account_id'], unique=False)
    op.create_table('message_tombstones',
    sa.Column('folder_id', sa.Integer(), nullable=False),
    sa.Column('uid', sa.BigInteger(), nullable=False),
    sa.Column('modseq', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['folder_id'], ['folders.id'], name=op.f('fk_message_tombstones_folder_id_folders'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('folder_id', 'uid', name=op.f('pk_message_tombstones'))
    )
    op.create_index('ix_message_tombstones_folder_modseq', 'message_tombstones', ['folder_id', 'modseq'], unique=False)
    op.create_table('usage_events',
    sa.Column('id', ID, autoincrement=True, nullable=False),
    sa.Column('at', UTC, nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('protocol', sa.String(length=20), nullable=False),
    sa.Column('detail', sa.JSON(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_usage_events'))
    )
    op.create_index(op.f('ix_usage_events_at'), 'usage_events', ['at'], unique=False)
    op.create_index(op.f('ix_usage_events_account_id'), 'usage_events', ['account_id'], unique=False)

    dialect = op.get_bind().dialect.name
    if dialect == 'sqlite':
        _sqlite_text_index()
    elif dialect == 'postgresql':
        _postgresql_text_index()


def _sqlite_text_index() -> None:
    op.execute(
        "CREATE VIRTUAL TABLE message_text USING fts5("
        "search_headers, search_body, content='message_contents', content_rowid='id', tokenize='trigram')"
    )
    op.execute(
        "CREATE TRIGGER message_contents_text_insert AFTER INSERT ON message_contents BEGIN "
        "INSERT INTO message_text(rowid, search_headers, search_body) "
        "VALUES (new.id, new.search_headers, new.search_body); END"
    )
    op.execute(
        "CREATE TRIGGER message_contents_text_delete AFTER DELETE ON message_contents BEGIN "
        "INSERT INTO message_text(message_text, rowid, search_headers, search_body) "
        "VALUES ('delete', old.id, old.search_headers, old.search_body); END"
    )
    op.execute(
        "CREATE TRIGGER message_contents_text_update AFTER UPDATE OF search_headers, search_body "
        "ON message_contents BEGIN "
        "INSERT INTO message_text(message_text, rowid, search_headers, search_body) "
        "VALUES ('delete', old.id, old.search_headers, old.search_body); "
        "INSERT INTO message_text(rowid, search_headers, search_body) "
        "VALUES (new.id, new.search_headers, new.search_body); END"
    )


def _postgresql_text_index() -> None:
    bind = op.get_bind()
    try:
        with bind.begin_nested():
            bind.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except sa.exc.DBAPIError:
        return
    schema = bind.exec_driver_sql(
        "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
        "WHERE e.extname = 'pg_trgm'").scalar()
    if schema is None:
        return
    opclass = f'"{schema}".gin_trgm_ops'
    op.execute(f"CREATE INDEX ix_message_contents_search_headers_trgm ON message_contents "
               f"USING gin (search_headers {opclass})")
    op.execute(f"CREATE INDEX ix_message_contents_search_body_trgm ON message_contents "
               f"USING gin (search_body {opclass})")


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == 'sqlite':
        for trigger in ('message_contents_text_insert', 'message_contents_text_delete',
                        'message_contents_text_update'):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS message_text")
    elif dialect == 'postgresql':
        op.execute("DROP INDEX IF EXISTS ix_message_contents_search_headers_trgm")
        op.execute("DROP INDEX IF EXISTS ix_message_contents_search_body_trgm")
    op.drop_index(op.f('ix_usage_events_account_id'), table_name='usage_events')
    op.drop_index(op.f('ix_usage_events_at'), table_name='usage_events')
    op.drop_table('usage_events')
    op.drop_index('ix_message_tombstones_folder_modseq', table_name='message_tombstones')
    op.drop_table('message_tombstones')
    op.drop_index(op.f('ix_message_seen_account_id'), table_name='message_seen')
    op.drop_table('message_seen')
    op.drop_index('ix_messages_folder_modseq', table_name='messages')
    op.drop_index(op.f('ix_messages_content_id'), table_name='messages')
    op.drop_table('messages')
    op.drop_table('message_contents')
    op.drop_table('folders')
    op.drop_table('mail_accounts')
