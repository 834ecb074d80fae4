"""Fixtures shared by the whole suite: a database on each backend (SQLite and PostgreSQL) and installations.

Tests that take ``database_url`` or ``installation`` run once per backend. PostgreSQL is reached at
127.0.0.1:5432 (trust auth; override with ``CONGVU_TEST_PG``); the suite creates its own database for the run
(one schema per ``database_url`` test) and a template installation database that each ``installation`` test
gets a copy of, and drops them at the end; under pytest-xdist each worker process makes its own (the names carry
the process id). ``CONGVU_TEST_BACKENDS=sqlite`` limits the run to SQLite.
``congvu serve`` processes the tests start run one process unless a test passes ``--workers``.
"""

from __future__ import annotations

import contextlib
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

# `congvu serve` started by a test runs in one process unless the test asks for more (--workers): starting a worker
# process per core for every server a test starts would only cost time. tests/runtime covers several processes.
os.environ.setdefault("CONGVU_SERVER_WORKERS", "1")
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


@pytest.fixture(scope="session")
def pg_template(pg_database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    """The PostgreSQL counterpart of :func:`sqlite_template`: an installation made by ``init`` in a database of its
    own, which each test's database is created from (``CREATE DATABASE … TEMPLATE``); its folder and URL."""
    import psycopg

    base, name = pg_database.rsplit("/", 1)
    template = f"{name}_tmpl"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{template}" ENCODING \'UTF8\' TEMPLATE template0')
    url = f"{base}/{template}"
    root = tmp_path_factory.mktemp("pg-template") / "congvu-data"
    created = create_installation(DataDir(root), domain=TEST_DOMAIN, org_name="UBND tỉnh Đồng Nai",
                                  admin_password=ADMIN_PASSWORD, database_url=url)
    created.installation.close()
    try:
        yield root, url
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{template}" WITH (FORCE)')


@contextlib.contextmanager
def _pg_copy(template_url: str) -> Iterator[str]:
    """A database made from the template for one test, dropped afterwards; its URL."""
    import psycopg

    base, template = template_url.rsplit("/", 1)
    name = f"{template}_{secrets.token_hex(4)}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def installation(data_dir: DataDir, backend: str, request: pytest.FixtureRequest) -> Iterator[Installation]:
    """A new installation (as ``init`` leaves it) on the test's backend, copied from the run's template."""
    if backend == "sqlite":
        shutil.copytree(request.getfixturevalue("sqlite_template"), data_dir.root)
        opened = open_installation(data_dir, upgrade=False)
        try:
            yield opened
        finally:
            opened.close()
        return
    root, template_url = request.getfixturevalue("pg_template")
    with _pg_copy(template_url) as url:
        shutil.copytree(root, data_dir.root)
        config = data_dir.config_file.read_text(encoding="utf-8")
        data_dir.config_file.write_text(config.replace(template_url, url), encoding="utf-8")
        opened = open_installation(data_dir, upgrade=False)
        try:
            yield opened
        finally:
            opened.close()
