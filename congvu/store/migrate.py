"""Schema migrations: bring a database to the newest schema with Alembic (the same scripts for both engines)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from congvu.store.database import Database

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(db: Database) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", db.url.replace("%", "%%"))
    return cfg


def upgrade(db: Database) -> None:
    """Apply every migration not yet applied."""
    cfg = alembic_config(db)
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        # Each capability's migrations branch from the base revision; "heads" applies every branch.
        command.upgrade(cfg, "heads")


def is_current(db: Database) -> bool:
    """True when the database is at the newest revision of every branch."""
    heads = set(ScriptDirectory.from_config(alembic_config(db)).get_heads())
    with db.engine.connect() as conn:
        return set(MigrationContext.configure(conn).get_current_heads()) == heads
