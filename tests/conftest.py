"""Fixtures shared by the whole suite: a database on each backend (SQLite and PostgreSQL) and installations.

Tests that take ``database_url`` (directly or through ``installation``) run once per backend. PostgreSQL is
reached at 127.0.0.1:5432 (trust auth; override with ``CONGVU_TEST_PG``); the suite creates its own database
for the run and one schema per test, and drops the database at the end. ``CONGVU_TEST_BACKENDS=sqlite`` limits
the run to SQLite.
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from congvu.config.settings import DataDir
from congvu.installation import Installation
from congvu.installation.create import create_installation
from congvu.installation.opened import open_installation

PG_ADMIN_URL = os.environ.get("CONGVU_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
BACKENDS = [b.strip() for b in os.environ.get("CONGVU_TEST_BACKENDS", "sqlite,postgresql").split(",") if b.strip()]
TEST_DOMAIN = "dongnai.gov.vn"
ADMIN_PASSWORD = "Quantri@2026"


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    """A PostgreSQL database for this test run (dropped at the end)."""
    import psycopg

    name = f"congvu_test_{os.getpid()}_{secrets.token_hex(3)}"
    admin = PG_ADMIN_URL
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}" ENCODING \'UTF8\' TEMPLATE template0')
    base = admin.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def database_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str | None:
    """None means the embedded default (SQLite in the data folder); else a PostgreSQL URL with its own schema."""
    if backend == "sqlite":
        return None
    import psycopg

    base = request.getfixturevalue("pg_database")
    schema = f"t_{secrets.token_hex(6)}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    return f"{base}?options=-csearch_path%3D{schema}"


@pytest.fixture
def data_dir(tmp_path: Path) -> DataDir:
    return DataDir(tmp_path / "congvu-data")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One new SQLite installation made by ``init`` for the whole run; each test gets a copy of its folder (the
    same files a fresh ``create_installation`` would write, without paying for keys, migrations and the
    administrator's password hash again)."""
    root = tmp_path_factory.mktemp("template") / "congvu-data"
    created = create_installation(DataDir(root), domain=TEST_DOMAIN, org_name="UBND tỉnh Đồng Nai",
                                  admin_password=ADMIN_PASSWORD, database_url=None)
    created.installation.close()
    return root


@pytest.fixture
def installation(data_dir: DataDir, database_url: str | None, request: pytest.FixtureRequest
                 ) -> Iterator[Installation]:
    if database_url is None:
        shutil.copytree(request.getfixturevalue("sqlite_template"), data_dir.root)
        opened = open_installation(data_dir, upgrade=False)
    else:
        opened = create_installation(data_dir, domain=TEST_DOMAIN, org_name="UBND tỉnh Đồng Nai",
                                     admin_password=ADMIN_PASSWORD, database_url=database_url).installation
    try:
        yield opened
    finally:
        opened.close()
