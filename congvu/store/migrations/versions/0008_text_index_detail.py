"""text index (SQLite): FTS5 ``detail=none`` instead of ``detail=full``

Revision ID: 0008_text_detail
Revises: 0006_acl

The trigram index kept the position of every trigram of every message (``detail=full``): about 2.5 times the
folded text itself, written at delivery. Substring searches need only which messages hold each trigram, then a
check of the candidates' text, which FTS5 does for ``LIKE``/``GLOB`` on a trigram table with ``detail=none``
(see congvu/mailstore/textsearch.py). The index is rebuilt from ``message_contents``. PostgreSQL is unchanged.
"""

from __future__ import annotations

from alembic import op

revision = "0008_text_detail"
down_revision = "0006_acl"
branch_labels = None
depends_on = None

_TRIGGERS = ("message_contents_text_insert", "message_contents_text_delete", "message_contents_text_update")


def _recreate(detail: str) -> None:
    for trigger in _TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.execute("DROP TABLE IF EXISTS message_text")
    op.execute(
        "CREATE VIRTUAL TABLE message_text USING fts5("
        "search_headers, search_body, content='message_contents', content_rowid='id', tokenize='trigram', "
        f"detail={detail})"
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
    op.execute("INSERT INTO message_text(message_text) VALUES ('rebuild')")


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _recreate("none")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _recreate("full")
