"""Large messages are indexed in worker processes: the content row is the one the delivering thread would compute,
and a worker that fails leaves the thread to compute it."""

from __future__ import annotations

from concurrent.futures import Future
from datetime import UTC, datetime

from congvu.mail.compose import build_message
from congvu.mailstore.indexpool import IndexPool, compute_content

NOW = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)


def _large() -> bytes:
    text = "Kính gửi các cơ quan, đơn vị: kế hoạch chuyển đổi số năm 2026 của tỉnh Đồng Nai.\n" * 400
    return build_message(from_addr=("Sở Thông tin và Truyền thông", "stttt@dongnai.gov.vn"),
                         to=["ubnd@dongnai.gov.vn"], subject="Kế hoạch chuyển đổi số", text=text)


def test_a_worker_process_computes_the_same_content_row() -> None:
    raw = _large()
    pool = IndexPool(workers=1, min_bytes=16 * 1024)
    try:
        assert pool.submit(raw[:1000], NOW) is None  # small: the caller indexes it
        pending = pool.submit(raw, NOW)
        assert pending is not None
        assert pool.content(raw, NOW, pending) == compute_content(raw, NOW)
    finally:
        pool.close()


def test_a_failed_worker_leaves_the_work_to_the_caller() -> None:
    raw = _large()
    pool = IndexPool(workers=0)
    assert pool.submit(raw, NOW) is None  # no spare core: nothing is shipped
    broken: Future[dict[str, object]] = Future()
    broken.set_exception(RuntimeError("worker died"))
    assert pool.content(raw, NOW, broken) == compute_content(raw, NOW)
