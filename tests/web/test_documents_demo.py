"""The demo province's clerk and administrator land on document pages with work to do."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from fastapi.testclient import TestClient
from web_helpers import Browser

from congvu.config.settings import DataDir
from congvu.demo.build import DEMO_PASSWORD, build_demo
from congvu.installation import open_installation
from congvu.web.app import create_app


def test_demo_clerk_runs_a_day_in_the_web(tmp_path: Path) -> None:
    build_demo(DataDir(tmp_path / "demo"), people=30, seed=7, now=datetime(2026, 3, 20, 9, 30, tzinfo=UTC))
    inst = open_installation(DataDir(tmp_path / "demo"))
    try:
        app = create_app(inst)
        for login in ("lannt@dongnai.gov.vn", "tanlm@dongnai.gov.vn"):
            b = Browser(TestClient(app))
            assert b.sign_in(login, DEMO_PASSWORD).status_code == 303
            assert "/van-ban" in b.get("/tai-khoan").text  # the navigation offers the documents
            landing = b.get("/van-ban")
            assert landing.status_code == 200 and 'href="/van-ban/H19.04"' in landing.text
            register = b.get("/van-ban/H19.04/den")
            states = set(re.findall(r'<span class="badge [a-z]*">([^<]+)</span>', register.text))
            assert {"Đã đến", "Đã tiếp nhận", "Phân công", "Đang xử lý", "Hoàn thành"} <= states, states
            # An arrived document offers registration; it goes through.
            waiting = re.findall(r'href="(/van-ban/H19.04/den/\d+)"', b.get("/van-ban/H19.04/den?status=01").text)
            assert waiting
            page = b.get(waiting[0])
            assert page.status_code == 200 and 'class="pdf-preview"' in page.text
            assert b.post(f"{waiting[0]}/vao-so").status_code == 303
            assert "Đã vào sổ: số đến" in b.get(waiting[0]).text
            outgoing = b.get("/van-ban/H19.04/di")
            assert outgoing.status_code == 200 and "Dự thảo" in outgoing.text and "Đã ban hành" in outgoing.text
            for url in sorted(set(re.findall(r'href="(/van-ban/H19.04/di/\d+)"', outgoing.text))):
                assert b.get(url).status_code == 200, url
            assert b.get("/van-ban/H19.04/qua-han").status_code == 200
    finally:
        inst.close()
