"""``congvu doc …`` as a clerk or a script uses it: --json output, exit codes, one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from docmaterial import make_pdf, province_tree

from congvu.cli.main import main
from congvu.installation import Installation


def call(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, object, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, (json.loads(out) if "--json" in args and out.strip() else out), err


@pytest.fixture
def data(installation: Installation, tmp_path: Path) -> Path:
    province_tree(installation)
    (tmp_path / "cv.pdf").write_bytes(make_pdf("Cong van"))
    (tmp_path / "phu-luc.pdf").write_bytes(make_pdf("Phu luc", pages=2))
    (tmp_path / "not.pdf").write_bytes(b"<html>not a pdf</html>")
    return installation.settings.data.root


def issue(capsys: pytest.CaptureFixture[str], data: Path, tmp: Path, *extra: str) -> tuple[int, object, str]:
    return call(capsys, "doc", "issue", "--data", str(data), "--agency", "H19.01", "--type", "cong_van",
                "--unit", "TTTH", "--subject", "V/v triển khai thư điện tử công vụ", "--signer-name",
                "Trần Văn Vĩnh", "--signer-position", "Phó Chủ tịch", "--signer-authority", "KT. CHỦ TỊCH",
                "--file", str(tmp / "cv.pdf"), "--json", *extra)


def test_issue_incoming_register_assign_done_and_status(capsys: pytest.CaptureFixture[str], data: Path,
                                                         tmp_path: Path) -> None:
    code, out, err = issue(capsys, data, tmp_path, "--to", "H19.04,H19.18", "--attach", str(tmp_path / "phu-luc.pdf"),
                           "--place", "Biên Hòa")
    assert code == 0, err
    assert isinstance(out, dict)
    assert out["number"] == "01/VPUBND-TTTH"
    document_id = out["document_id"]
    assert isinstance(document_id, str) and document_id.startswith("H19.01,")
    code, listing, _ = call(capsys, "doc", "incoming", "--data", str(data), "--agency", "H19.04", "--json")
    assert code == 0 and isinstance(listing, list)
    [entry] = listing
    assert entry["arrival_number"] is None
    assert entry["number"] == "01/VPUBND-TTTH"
    assert entry["from"] == "H19.01"
    assert entry["status"] == "01"
    assert entry["subject"] == "V/v triển khai thư điện tử công vụ"
    code, registered, _ = call(capsys, "doc", "register", str(entry["id"]), "--data", str(data), "--json")
    assert code == 0 and isinstance(registered, dict)
    assert registered["arrival_number"] == 1 and registered["status"] == "03" and registered["arrival_date"]
    code, assigned, _ = call(capsys, "doc", "assign", document_id, "--agency", "H19.04", "--data", str(data),
                             "--unit", "Phòng CNTT", "--instruction", "Xử lý gấp", "--deadline", "2030-12-31",
                             "--json")
    assert code == 0 and isinstance(assigned, dict) and assigned["status"] == "04"
    code, finished, _ = call(capsys, "doc", "done", str(entry["id"]), "--data", str(data), "--json")
    assert code == 0 and isinstance(finished, dict) and finished["status"] == "06"
    code, status, _ = call(capsys, "doc", "status", document_id, "--data", str(data), "--json")
    assert code == 0 and isinstance(status, list)
    by_agency = {s["agency"]: s for s in status}
    assert by_agency["H19.04"]["status"] == "06" and by_agency["H19.04"]["status_name"] == "Hoàn thành"
    assert by_agency["H19.18"]["status"] == "01" and by_agency["H19.18"]["at"]
    assert set(by_agency["H19.04"]) >= {"agency", "status", "status_name", "at"}


def test_secret_and_bad_pdf_exit_non_zero(capsys: pytest.CaptureFixture[str], data: Path, tmp_path: Path) -> None:
    code, _, err = issue(capsys, data, tmp_path, "--to", "H19.04", "--secrecy", "Tối mật")
    assert code != 0
    assert "bí mật nhà nước" in err and err.count("\n") == 1
    code, _, err = call(capsys, "doc", "issue", "--data", str(data), "--agency", "H19.01", "--type", "cong_van",
                        "--unit", "TTTH", "--subject", "X", "--signer-name", "A", "--signer-position", "B",
                        "--to", "H19.04", "--file", str(tmp_path / "not.pdf"), "--json")
    assert code == 2 and "không phải PDF" in err
    code, _, err = issue(capsys, data, tmp_path, "--to", "H19.77")
    assert code == 2 and "H19.77" in err


def test_export_then_import_is_a_duplicate(capsys: pytest.CaptureFixture[str], data: Path, tmp_path: Path) -> None:
    _, out, _ = issue(capsys, data, tmp_path, "--to", "H19.04")
    assert isinstance(out, dict)
    package = tmp_path / "vb.edxml"
    code, _, err = call(capsys, "doc", "export-edxml", str(out["document_id"]), "--out", str(package), "--data",
                        str(data))
    assert code == 0, err
    assert package.read_bytes().startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    code, result, err = call(capsys, "doc", "import-edxml", str(package), "--data", str(data), "--json")
    assert code == 3 and isinstance(result, dict)
    assert result["duplicates"] == ["H19.04"] and result["entries"] == []
    assert "đã đến" in err
    code, listing, _ = call(capsys, "doc", "incoming", "--data", str(data), "--agency", "H19.04", "--json")
    assert isinstance(listing, list) and len(listing) == 1
    code, items, _ = call(capsys, "doc", "quarantine", "--data", str(data), "--json")
    assert isinstance(items, list) and [i["reason"] for i in items] == ["duplicate"]
    bad = tmp_path / "bad.edxml"
    bad.write_bytes(b"<edXML><nothing/></edXML>")
    code, result, err = call(capsys, "doc", "import-edxml", str(bad), "--data", str(data), "--json")
    assert code == 3 and isinstance(result, dict) and result["quarantine_id"] and "không đọc được" in err


def test_console_script_runs(data: Path, tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "congvu", "doc", "registers", "--agency", "H19.01", "--data",
                           str(data), "--json"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    names = [r["name"] for r in json.loads(proc.stdout)]
    assert names == ["Sổ văn bản đi", "Sổ văn bản đến"]


def test_search_overdue_dashboard_and_replaces(capsys: pytest.CaptureFixture[str], data: Path,
                                               tmp_path: Path) -> None:
    _, first, _ = issue(capsys, data, tmp_path, "--to", "H19.04", "--place", "Biên Hòa")
    _, other, _ = issue(capsys, data, tmp_path, "--to", "H19.04", "--place", "Biên Hòa", "--subject",
                        "V/v báo cáo ngân sách quý IV")
    assert isinstance(first, dict) and isinstance(other, dict)
    base = ("--data", str(data), "--agency", "H19.04", "--json")
    _, found, _ = call(capsys, "doc", "incoming", *base, "--q", "ngan sach")
    assert isinstance(found, list) and [e["document_id"] for e in found] == [other["document_id"]]
    _, page, _ = call(capsys, "doc", "incoming", *base, "--limit", "1", "--offset", "1")
    assert isinstance(page, list) and len(page) == 1
    _, none, _ = call(capsys, "doc", "incoming", *base, "--status", "03")
    assert none == []
    _, later, _ = call(capsys, "doc", "incoming", *base, "--from", "2999-01-01")
    assert later == []
    entry = found[0]
    call(capsys, "doc", "register", str(entry["id"]), "--data", str(data), "--json")
    code, _, err = call(capsys, "doc", "assign", str(entry["id"]), "--data", str(data), "--unit", "Phòng KHTC",
                        "--deadline", "2000-01-01", "--json")
    assert code == 0, err
    code, late, err = call(capsys, "doc", "overdue", *base)
    assert code == 0 and isinstance(late, list) and [e["id"] for e in late] == [entry["id"]], err
    _, early, _ = call(capsys, "doc", "overdue", *base, "--today", "1999-12-31")
    assert early == []
    code, board, _ = call(capsys, "doc", "dashboard", *base)
    assert code == 0 and isinstance(board, dict)
    assert board["incoming_total"] == 2 and board["overdue"] == 1 and board["incoming_by_status"] == {"01": 1,
                                                                                                       "04": 1}
    code, text, _ = call(capsys, "doc", "dashboard", "--data", str(data), "--agency", "H19.04")
    assert code == 0 and "overdue" in str(text)
    _, sent, _ = call(capsys, "doc", "outgoing", "--data", str(data), "--agency", "H19.01", "--q", "NGAN SACH",
                      "--json")
    assert isinstance(sent, list) and [d["number"] for d in sent] == ["02/VPUBND-TTTH"]

    code, newer, err = issue(capsys, data, tmp_path, "--to", "H19.04", "--place", "Biên Hòa", "--replaces",
                             str(first["document_id"]))
    assert code == 0 and isinstance(newer, dict) and newer["replaces"] == first["document_id"], err
    _, listing, _ = call(capsys, "doc", "incoming", *base)
    assert isinstance(listing, list)
    by_id = {e["document_id"]: e for e in listing}
    assert by_id[first["document_id"]]["replaced_by"] == newer["document_id"]
    assert by_id[first["document_id"]]["cancelled"] is True
    assert [link["kind"] for link in by_id[newer["document_id"]]["links"]] == ["replaces"]
