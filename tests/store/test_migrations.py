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


def test_the_moved_to_column_goes_and_comes_back(installation: Installation) -> None:
    """Migration 0010 both ways, in place: the accounts (and what refers to them) stay."""
    from alembic import command

    d = installation.directory
    d.agencies.add(code="H19", name="Ủy ban nhân dân tỉnh Đồng Nai", short_name="UBND", level="province")
    person = d.accounts.add(full_name="Lý Thị Thu", agency="H19", password=None).account
    cfg = migrate.alembic_config(installation.db)
    with installation.db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0010_moved_to@0001")
    columns = {c["name"] for c in inspect(installation.db.engine).get_columns("accounts")}
    assert "moved_to" not in columns
    migrate.upgrade(installation.db)
    assert migrate.is_current(installation.db)
    removed = d.accounts.remove(person.address, reason="Chuyển công tác", moved_to="thu@longan.gov.vn")
    assert removed.moved_to == "thu@longan.gov.vn"
