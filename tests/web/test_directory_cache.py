"""The public directory's cache: rebuilt when the directory changes, not when people sign in (every sign-in writes
an audit row too; counting those would rebuild the directory at every sign-in, just when the server is busiest)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from web_helpers import PASSWORD, Browser, Province

from congvu.web import directory_cache


def test_sign_ins_keep_the_cache_and_directory_changes_renew_it(
        browser: Callable[..., Browser], province: Province, monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[tuple[str | None, str | None]] = []
    real = directory_cache.collect

    def counting(*args: object, under: str | None = None, query: str | None = None, **kwargs: object):  # type: ignore[no-untyped-def]
        built.append((query, under))
        return real(*args, under=under, query=query, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(directory_cache, "collect", counting)
    visitor = browser()
    assert "Sở Tài chính" in visitor.get("/danh-ba").text
    assert "Nguyễn Thị Lan" in visitor.get("/danh-ba", params={"q": "nguyen thi lan"}).text
    assert len(built) == 2
    for _ in range(3):
        person = browser()
        person.sign_in(province.agency_admin, PASSWORD)
        assert person.get("/tai-khoan").status_code == 200
        visitor.get("/danh-ba")
        visitor.get("/danh-ba", params={"q": "nguyen thi lan"})
    assert len(built) == 2  # three sign-ins later, still the first two builds

    province.inst.directory.accounts.add(full_name="Hoàng Văn Nam", agency="H19.05", position="Chuyên viên",
                                         password=None)
    assert "Hoàng Văn Nam" in visitor.get("/danh-ba", params={"co-quan": "H19.05"}).text
    assert "Hoàng Văn Nam" in visitor.get("/danh-ba", params={"q": "hoang van nam"}).text
    assert len(built) == 4
