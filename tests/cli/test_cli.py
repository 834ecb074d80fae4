"""The command line as scripts use it: real processes, --json output, exit codes and one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import Workbook

from congvu.cli.main import main


def run(*args: str, data: Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run([sys.executable, "-m", "congvu", *args, "--data", str(data)], capture_output=True,
                          text=True, timeout=120)
    if check and proc.returncode != 0:
        raise AssertionError(f"exit {proc.returncode}: {proc.stderr}")
    return proc


def call(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, object, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, (json.loads(out) if "--json" in args and out.strip() else out), err


@pytest.fixture
def cli_data(tmp_path: Path, database_url: str | None) -> Path:
    data = tmp_path / "inst"
    extra = ["--database-url", database_url] if database_url else []
    code = main(["init", "--data", str(data), "--domain", "dongnai.gov.vn", "--admin-password", "Quantri@2026",
                 "--org-name", "UBND tỉnh Đồng Nai", *extra])
    assert code == 0
    return data


def test_init_refuses_existing_and_prints_json(tmp_path: Path) -> None:
    data = tmp_path / "new"
    proc = subprocess.run([sys.executable, "-m", "congvu", "init", "--data", str(data), "--domain", "longan.gov.vn",
                           "--json"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["admin"] == "admin@longan.gov.vn" and len(out["admin_password"]) >= 12
    assert (data / "congvu.toml").is_file() and (data / "tls" / "cert.pem").is_file()
    assert (data / "dkim" / "congvu.key").stat().st_mode & 0o077 == 0
    again = run("init", "--domain", "longan.gov.vn", data=data, check=False)
    assert again.returncode != 0
    assert again.stderr.count("\n") == 1 and "không ghi đè" in again.stderr


def test_account_add_json_and_errors_over_real_process(cli_data: Path) -> None:
    run("agency", "add", "--code", "H19", "--name", "Ủy ban nhân dân tỉnh Đồng Nai", "--short-name", "UBND",
        "--level", "province", data=cli_data)
    out = json.loads(run("account", "add", "--name", "Trần Văn Vinh", "--agency", "H19", "--json",
                         data=cli_data).stdout)
    assert out["address"] == "vinhtv@dongnai.gov.vn" and out["full_name"] == "Trần Văn Vinh"
    assert out["password"]
    bad = run("account", "add", "--name", "Lê Văn A", "--agency", "H99", "--json", data=cli_data, check=False)
    assert bad.returncode == 2
    assert bad.stderr.strip().count("\n") == 0 and "H99" in bad.stderr
    missing = subprocess.run([sys.executable, "-m", "congvu", "agency", "list"], capture_output=True, text=True,
                             env={"PATH": "/usr/bin:/bin"}, timeout=60)
    assert missing.returncode == 2 and "CONGVU_DATA" in missing.stderr


def test_directory_commands_in_process(cli_data: Path, capsys: pytest.CaptureFixture[str],
                                       tmp_path: Path) -> None:
    d = ["--data", str(cli_data)]
    assert call(capsys, "agency", "add", "--code", "H19", "--name", "UBND tỉnh Đồng Nai", "--short-name", "UBND",
                "--level", "province", *d)[0] == 0
    assert call(capsys, "agency", "wave", "set", "1", "--name", "Đợt 1", "--starts", "2010-12-01", *d)[0] == 0
    code, out, _ = call(capsys, "agency", "add", "--code", "H19.04", "--name", "Sở Thông tin và Truyền thông",
                        "--short-name", "STTTT", "--level", "department", "--parent", "H19", "--wave", "1",
                        "--json", *d)
    assert code == 0 and out["mailbox"] == "stttt@dongnai.gov.vn" and out["wave"] == 1
    code, out, _ = call(capsys, "agency", "list", "--json", *d)
    assert [a["code"] for a in out] == ["H19", "H19.04"]
    code, out, _ = call(capsys, "account", "add", "--name", "Nguyễn Thị Lan", "--agency", "STTTT", "--role",
                        "clerk", "--json", *d)
    assert out["address"] == "lannt@dongnai.gov.vn" and out["roles"] == [{"role": "clerk",
                                                                          "agency_code": "H19.04"}]
    code, out, _ = call(capsys, "account", "propose", "--name", "Nguyễn Thành Lân", "--json", *d)
    assert out["address"] != "lannt@dongnai.gov.vn" and out["address"].startswith("lan")
    code, out, _ = call(capsys, "account", "disable", "lannt@dongnai.gov.vn", "--reason", "Nghỉ phép", "--json", *d)
    assert out["status"] == "disabled"
    code, out, _ = call(capsys, "account", "enable", "lannt", "--json", *d)
    assert out["status"] == "active"
    code, out, _ = call(capsys, "account", "reset-password", "lannt@dongnai.gov.vn", "--json", *d)
    assert len(out["password"]) >= 12
    code, out, _ = call(capsys, "alias", "add", "vanphong.stttt@dongnai.gov.vn", "--to", "stttt@dongnai.gov.vn",
                        "--json", *d)
    assert out["targets"] == ["stttt@dongnai.gov.vn"]
    code, out, _ = call(capsys, "group", "add", "cacso@dongnai.gov.vn", "--name", "Các sở, ban, ngành", "--rule",
                        "level=department", "--json", *d)
    assert out["members"] == ["stttt@dongnai.gov.vn"]
    code, out, _ = call(capsys, "account", "remove", "lannt@dongnai.gov.vn", "--reason", "Chuyển công tác",
                        "--moved-to", "Lan.NT@LongAn.gov.vn", "--json", *d)
    assert out["status"] == "removed" and out["retention_until"] and out["moved_to"] == "Lan.NT@longan.gov.vn"
    code, _, err = call(capsys, "account", "add", "--name", "Nguyễn Thị Lan", "--agency", "H19.04", "--address",
                        "lannt@dongnai.gov.vn", *d)
    assert code == 2 and "được giữ đến" in err

    wb = Workbook()
    ws = wb.active
    ws.append(["Họ và tên", "Cơ quan", "Phòng", "Chức vụ", "Điện thoại", "Email"])
    ws.append(["Lê Văn Hưng", "H19.04", "Văn phòng", "Chuyên viên", "0912 345 678", None])
    ws.append(["Lê Văn Hưng", "H99", None, None, None, None])
    path = tmp_path / "import.xlsx"
    wb.save(path)
    code, out, _ = call(capsys, "account", "import", str(path), "--json", *d)
    assert code == 3
    assert [p["address"] for p in out["created"]] == ["hunglv@dongnai.gov.vn"]
    assert out["rejected"] == [{"row": 3, "reason": out["rejected"][0]["reason"]}]
    assert "H99" in out["rejected"][0]["reason"]

    target = tmp_path / "danhba.json"
    code, out, _ = call(capsys, "directory", "export", "--format", "json", "--out", str(target), "--json", *d)
    assert code == 0 and out["people"] == 1
    exported = json.loads(target.read_text(encoding="utf-8"))
    assert exported[1]["people"][0]["full_name"] == "Lê Văn Hưng"
    for fmt in ("csv", "xlsx"):
        assert call(capsys, "directory", "export", "--format", fmt, "--out", str(tmp_path / f"d.{fmt}"), *d)[0] == 0
