"""``congvu dns records`` and ``congvu queue …`` through the command-line entry point."""

from __future__ import annotations

import json

import pytest

from congvu.cli.main import main
from congvu.config.settings import DataDir
from congvu.delivery.queue import OutboundQueue
from congvu.installation import Installation
from congvu.installation.keys import dkim_dns_value

RAW = b"From: admin@dongnai.gov.vn\r\nTo: a@example.test\r\nSubject: x\r\n\r\nx\r\n"


def test_dns_records_and_queue_commands(installation: Installation, data_dir: DataDir,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["dns", "records", "--data", str(data_dir.root)]) == 0
    text = capsys.readouterr().out
    assert "dongnai.gov.vn.\t3600\tIN\tMX\t10 mail.dongnai.gov.vn." in text
    assert '_dmarc.dongnai.gov.vn.\t3600\tIN\tTXT\t"v=DMARC1; p=quarantine' in text
    assert "congvu._domainkey.dongnai.gov.vn.\t3600\tIN\tTXT\t\"v=DKIM1; k=rsa; p=" in text
    assert "mode: testing" in text
    assert main(["dns", "records", "--json", "--data", str(data_dir.root)]) == 0
    payload = json.loads(capsys.readouterr().out)
    by_name = {(r["name"], r["type"]): r["value"] for r in payload["records"]}
    assert installation.settings.dkim_key is not None
    assert by_name[("congvu._domainkey.dongnai.gov.vn.", "TXT")] == dkim_dns_value(installation.settings.dkim_key)
    assert by_name[("dongnai.gov.vn.", "TXT")] == "v=spf1 mx -all"
    assert by_name[("_smtp._tls.dongnai.gov.vn.", "TXT")] == "v=TLSRPTv1; rua=mailto:postmaster@dongnai.gov.vn"
    assert ("_mta-sts.dongnai.gov.vn.", "TXT") in by_name

    queue = OutboundQueue(installation)
    first = queue.enqueue(mail_from="admin@dongnai.gov.vn", recipients=["a@example.test"], raw=RAW, submitted_by=None)
    second = queue.enqueue(mail_from="admin@dongnai.gov.vn", recipients=["b@example.test", "c@other.example"],
                           raw=RAW, submitted_by=None)
    data = ["--data", str(data_dir.root)]
    assert main(["queue", "list", *data]) == 0
    listing = capsys.readouterr().out
    assert "c@other.example" in listing and "queued" in listing
    assert main(["queue", "list", "--json", *data]) == 0
    assert [m["id"] for m in json.loads(capsys.readouterr().out)] == [first, second]
    assert main(["queue", "show", str(second), *data]) == 0
    assert "b@example.test" in capsys.readouterr().out
    assert main(["queue", "retry", "--json", *data]) == 0
    assert json.loads(capsys.readouterr().out) == {"retried": 3}
    assert main(["queue", "delete", str(first), *data]) == 0
    capsys.readouterr()
    assert [m.id for m in queue.list()] == [second]
    assert main(["queue", "delete", str(first), *data]) == 2
    assert "hàng đợi" in capsys.readouterr().err
