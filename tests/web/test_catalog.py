"""Every phrase the pages show in Vietnamese has its English."""

from __future__ import annotations

import re
from pathlib import Path

from congvu.directory.models import LEVEL_NAMES_VI, ROLE_NAMES_VI
from congvu.web.catalog_en import EN

TEMPLATES = Path(__file__).parents[2] / "congvu" / "web" / "templates"
PHRASE = re.compile(r"""_\(\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')\s*\)""")


def test_every_phrase_has_english() -> None:
    phrases = {a or b for path in TEMPLATES.rglob("*.html") for a, b in PHRASE.findall(path.read_text("utf-8"))}
    phrases |= set(LEVEL_NAMES_VI.values()) | set(ROLE_NAMES_VI.values())
    assert len(phrases) > 200
    assert sorted(p for p in phrases if p not in EN) == []
    assert all(EN[p].strip() for p in phrases)
