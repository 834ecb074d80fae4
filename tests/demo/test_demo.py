"""``congvu demo`` builds a living sample province: directory, a month of mail, documents in every state, usage."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from congvu.cli.main import main
from congvu.config.settings import DataDir
from congvu.demo.build import MESSAGES, build_demo
from congvu.documents.service import documents_for
from congvu.edxml.model import VIETNAM_TIME
from congvu.installation import Installation, open_installation
from congvu.mailstore.api import FLAGGED, SEEN
from congvu.store.schema import folders, message_contents, messages, usage_events


def _count(inst: Installation, query: object) -> int:
    with inst.db.read() as conn:
        return int(conn.execute(query).scalar_one())  # type: ignore[call-overload]


def _folder_counts(inst: Installation, special_use: str | None) -> int:
    name_filter = folders.c.special_use.is_(None) & (folders.c.name == "INBOX") if special_use is None \
        else folders.c.special_use == special_use
    return _count(inst, select(func.count()).select_from(messages.join(folders, folders.c.id == messages.c.folder_id))
                  .where(name_filter))


def test_demo_builds_a_sample_province(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "demo"
    assert main(["demo", "--data", str(data), "--people", "80", "--no-serve", "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["built"] is True and info["url"].startswith("http://")
    inst = open_installation(DataDir(data))
    try:
        d = inst.directory
        tree = d.agencies.list()
        assert len(tree) > 60 and tree[0].name == "Ủy ban nhân dân tỉnh Đồng Nai"
        people = d.accounts.list()
        assert len(people) == 80
        for login in info["logins"]:
            assert d.accounts.authenticate(login["address"], login["password"]) is not None
        vinh = d.accounts.show("vinhtv@dongnai.gov.vn")
        assert vinh.full_name == "Trần Văn Vinh"
        vinh2 = [a for a in people if a.full_name == "Trần Văn Vĩnh"]
        assert vinh2 and vinh2[0].address != vinh.address
        assert len(d.groups.show("cacso@dongnai.gov.vn").members) == 20
        assert {w.number for w in d.agencies.waves()} == {1, 2, 3}
        _mail_is_there(inst)
        _documents_are_there(inst)
        _usage_is_there(inst)
    finally:
        inst.close()
    # a second run reuses the folder
    assert main(["demo", "--data", str(data), "--no-serve", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["built"] is False


def _mail_is_there(inst: Installation) -> None:
    assert _count(inst, select(func.count()).select_from(message_contents)) == MESSAGES
    assert _count(inst, select(func.count()).select_from(message_contents)
                  .where(message_contents.c.has_attachments.is_(True))) > MESSAGES // 5
    inboxes, sent = _folder_counts(inst, None), _folder_counts(inst, "\\Sent")
    assert sent == MESSAGES and inboxes > MESSAGES
    store = inst.mailstore
    for address, at_least in (("lannt", 5), ("vinhtv", 5), ("tanlm", 5), ("stttt", 5), ("admin", 1)):
        account = inst.directory.accounts.show(f"{address}@dongnai.gov.vn")
        inbox = store.find_folder(account.id, "INBOX")
        assert store.folder_status(account.id, inbox.id).messages >= at_least, address
    lan = inst.directory.accounts.show("lannt@dongnai.gov.vn")
    snapshot = store.snapshot(lan.id, store.find_folder(lan.id, "INBOX").id)
    read = [m for m in snapshot.messages if SEEN in m.flags]
    assert 0 < len(read) < len(snapshot.messages)
    dates = [m.internal_date for m in snapshot.messages]
    assert dates == sorted(dates)  # delivered in arrival order
    everyone_flags = [m.flags for a in inst.directory.accounts.list()[:40]
                      for m in store.snapshot(a.id, store.find_folder(a.id, "INBOX").id).messages]
    assert any(FLAGGED in f for f in everyone_flags)
    raw = store.read_raw(lan.id, snapshot.folder.id, snapshot.messages[0].uid)
    assert b"Subject: =?utf-8?" in raw and b"@dongnai.gov.vn" in raw


def _documents_are_there(inst: Installation) -> None:
    docs = documents_for(inst)
    by_state: dict[str, int] = {}
    for agency in inst.directory.agencies.list():
        for doc in docs.outgoing.list(agency.code):
            by_state[doc.state.value] = by_state.get(doc.state.value, 0) + 1
    assert by_state["issued"] >= 10 and by_state["recalled"] == 1 and by_state["draft"] == 1
    clerk_desk = {e.status for e in docs.incoming.list("H19.04")}
    assert {"01", "02", "03", "04", "05", "06"} <= clerk_desk
    wide, = [d for d in docs.outgoing.list("H19") if d.doc_type == "cong_van"]
    assert len(wide.recipients) == 31 and len({r.status for r in wide.recipients}) >= 4
    entry = docs.incoming.find("H19.04", wide.document_id or "")
    assert docs.incoming.get(entry.id).signature_summary == "trusted"
    recalled, = [d for a in ("H19.04",) for d in docs.outgoing.list(a) if d.state.value == "recalled"]
    assert {r.status for r in recalled.recipients} == {"15", "01"}
    notice, = docs.publisher.notices()
    assert notice.type_name == "Quyết định"


def _usage_is_there(inst: Installation) -> None:
    with inst.db.read() as conn:
        rows = conn.execute(select(usage_events.c.at, usage_events.c.kind)).all()
    kinds = {r.kind for r in rows}
    assert kinds == {"login", "inbox_check"}
    assert len(rows) > 1000
    moments = [(r.at if r.at.tzinfo else r.at.replace(tzinfo=UTC)).astimezone(VIETNAM_TIME) for r in rows]
    assert all(m.weekday() < 5 for m in moments)  # working days only
    assert max(moments) - min(moments) > timedelta(days=20)
    assert max(moments) <= datetime.now(UTC) + timedelta(minutes=1)
    never = [a for a in inst.directory.accounts.list() if a.last_login_at is None]
    assert 0 < len(never) < len(inst.directory.accounts.list())


def test_the_same_seed_and_moment_give_the_same_province(tmp_path: Path) -> None:
    moment = datetime(2026, 3, 20, 9, 30, tzinfo=UTC)
    summaries = [build_demo(DataDir(tmp_path / name), people=30, seed=7, now=moment) for name in ("a", "b")]
    assert summaries[0] == summaries[1]
    subjects = []
    for name in ("a", "b"):
        inst = open_installation(DataDir(tmp_path / name))
        try:
            with inst.db.read() as conn:
                c = message_contents.c
                subjects.append(conn.execute(select(c.subject, c.sent_date, c.sha256).order_by(c.message_id)).all())
        finally:
            inst.close()
    assert subjects[0] == subjects[1] and len(subjects[0]) == MESSAGES
