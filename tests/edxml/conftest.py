"""Fixtures of the edXML tests: the research samples of vn-standards.md §8.1 and §8.2."""

from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"


@pytest.fixture
def edoc_bytes() -> bytes:
    return (DATA / "vn_standards_8_1_edoc.edxml").read_bytes()


@pytest.fixture
def status_bytes() -> bytes:
    return (DATA / "vn_standards_8_2_status.edxml").read_bytes()
