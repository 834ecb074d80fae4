from __future__ import annotations

import json
from pathlib import Path

import pytest

from congvu.cli.main import main
from congvu.config.settings import DataDir
from congvu.installation import open_installation


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
    finally:
        inst.close()
    # a second run reuses the folder
    assert main(["demo", "--data", str(data), "--no-serve", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["built"] is False
