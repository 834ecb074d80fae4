"""Fixtures of the web tests: the sample province and a browser-like client on the app of the installation."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from web_helpers import Browser, Province, make_province

from congvu.installation import Installation
from congvu.web.app import create_app


@pytest.fixture
def province(installation: Installation) -> Province:
    return make_province(installation)


@pytest.fixture
def browser(installation: Installation) -> Callable[..., Browser]:
    app = create_app(installation)

    def make(base_url: str = "http://testserver") -> Browser:
        return Browser(TestClient(app, base_url=base_url))

    return make


@pytest.fixture(autouse=True)
def quick_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Real argon2id with small parameters: the tests sign in many times; production keeps the library's."""
    from argon2 import PasswordHasher

    from congvu.security import passwords

    monkeypatch.setattr(passwords, "_HASHER", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
