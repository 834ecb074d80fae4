"""``congvu serve`` as a real process: binds its ports, answers, and stops cleanly on SIGTERM."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

from congvu.config.settings import DataDir
from congvu.installation.create import create_installation


def test_serve_answers_and_stops_on_sigterm(tmp_path: Path) -> None:
    data = DataDir(tmp_path / "inst")
    create_installation(data, domain="gialai.gov.vn", admin_password="Quantri@2026").installation.close()
    proc = subprocess.Popen([sys.executable, "-m", "congvu", "serve", "--data", str(data.root), "--host",
                             "127.0.0.1", "--http-port", "auto", "--smtp-port", "0", "--submission-port", "0",
                             "--smtps-port", "0", "--imap-port", "0", "--imaps-port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        match = re.search(r"http .* 127\.0\.0\.1:(\d+)", line)
        assert match, line
        port = int(match.group(1))
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as response:
            assert json.loads(response.read())["status"] == "ok"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as response:
            assert "gialai.gov.vn" in response.read().decode("utf-8")
    finally:
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=30)
    assert code == 0
