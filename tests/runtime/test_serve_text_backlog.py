"""``congvu serve`` indexes at start the long bodies an earlier run left in the text backlog."""

from __future__ import annotations

import signal
import time
from pathlib import Path

from serve_harness import start_serve
from sqlalchemy import func, select

from congvu.cli.main import main
from congvu.config.settings import DataDir
from congvu.installation.opened import open_installation
from congvu.store.schema import message_contents, message_text_backlog

PASSWORD = "Matkhau@2026"
BODY = "Kế hoạch chuyển đổi số năm 2027 của Sở Thông tin và Truyền thông tỉnh Tây Ninh.\r\n" * 150


def test_serve_indexes_what_an_earlier_run_left(tmp_path: Path, database_url: str | None) -> None:
    data = tmp_path / "inst"
    extra = ["--database-url", database_url] if database_url else []
    assert main(["init", "--data", str(data), "--domain", "tayninh.gov.vn", "--admin-password", PASSWORD, *extra]) == 0
    assert main(["agency", "add", "--code", "H46", "--name", "Ủy ban nhân dân tỉnh Tây Ninh", "--short-name", "UBND",
                 "--level", "province", "--data", str(data)]) == 0
    inst = open_installation(DataDir(data))
    try:
        account = inst.directory.accounts.add(full_name="Lê Thị Mai", agency="H46", address="ltmai@tayninh.gov.vn",
                                              password=PASSWORD).account.id
        inst.mailstore.text_index.queue = lambda content_ids: None  # type: ignore[method-assign]  # a run that stops
        raw = ("From: vanthu@tayninh.gov.vn\r\nTo: ltmai@tayninh.gov.vn\r\nSubject: Kế hoạch\r\n"
               "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" + BODY).encode()
        content_id = inst.mailstore.deliver(raw, [account]).content_id
        with inst.db.read() as conn:
            assert conn.execute(select(func.count()).select_from(message_text_backlog)).scalar_one() == 1
    finally:
        inst.close()
    served = start_serve(data, "--workers", "2", "--smtp-port=auto", "--http-port=0", "--submission-port=0",
                         "--smtps-port=0", "--imap-port=0", "--imaps-port=0")
    inst = open_installation(DataDir(data), upgrade=False)
    try:
        deadline = time.monotonic() + 30
        waiting = 1
        while waiting and time.monotonic() < deadline:
            with inst.db.read() as conn:
                waiting = conn.execute(select(func.count()).select_from(message_text_backlog)).scalar_one()
            time.sleep(0.1)
        assert waiting == 0
        with inst.db.read() as conn:
            folded = conn.execute(select(message_contents.c.search_body)
                                  .where(message_contents.c.id == content_id)).scalar_one()
        assert "chuyen doi so nam 2027" in folded
    finally:
        inst.close()
        served.proc.send_signal(signal.SIGTERM)
        assert served.proc.wait(timeout=60) == 0
