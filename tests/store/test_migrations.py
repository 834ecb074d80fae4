from __future__ import annotations

from sqlalchemy import inspect

from congvu.installation import Installation
from congvu.store import migrate
from congvu.store.schema import metadata


def test_schema_matches_tables_and_upgrade_is_idempotent(installation: Installation) -> None:
    assert migrate.is_current(installation.db)
    migrate.upgrade(installation.db)
    names = set(inspect(installation.db.engine).get_table_names())
    assert set(metadata.tables) <= names
    if installation.db.is_sqlite:
        with installation.db.read() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
