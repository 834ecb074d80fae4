"""The sender rewriting scheme: forward and reverse, the hash, the age limit, and what is never rewritten."""

from __future__ import annotations

import pytest

from congvu.mail.srs import MAX_AGE_DAYS, SenderRewriter, SrsError, is_srs

DAY = 86_400
NOW = 1_765_000_000.0
SECRET = b"0123456789abcdef0123456789abcdef"


def test_forward_then_reverse_gives_the_original_sender() -> None:
    srs = SenderRewriter(SECRET, "DongNai.gov.vn")
    rewritten = srs.forward("Nguoi.Gui@example.org", now=NOW)
    local, _, domain = rewritten.partition("@")
    assert domain == "dongnai.gov.vn" and local.startswith("SRS0=") and local.endswith("=example.org=Nguoi.Gui")
    assert is_srs(rewritten)
    assert srs.reverse(rewritten, now=NOW + 3 * DAY) == "Nguoi.Gui@example.org"
    assert srs.reverse(rewritten.upper().replace("@DONGNAI.GOV.VN", "@dongnai.gov.vn"), now=NOW) \
        == "NGUOI.GUI@EXAMPLE.ORG"  # a server that changed the case still gets the bounce through


def test_forged_old_and_foreign_addresses_are_refused() -> None:
    srs = SenderRewriter(SECRET, "dongnai.gov.vn")
    rewritten = srs.forward("a@example.org", now=NOW)
    forged = rewritten.replace("=example.org=a@", "=example.org=victim@")
    with pytest.raises(SrsError):
        srs.reverse(forged, now=NOW)
    with pytest.raises(SrsError):
        srs.reverse(rewritten, now=NOW + (MAX_AGE_DAYS + 1) * DAY)
    with pytest.raises(SrsError):
        SenderRewriter(b"another-secret-of-32-bytes-long!", "dongnai.gov.vn").reverse(rewritten, now=NOW)
    with pytest.raises(SrsError):
        srs.reverse("SRS0=abcd=AB@dongnai.gov.vn", now=NOW)
    with pytest.raises(SrsError):
        srs.reverse(rewritten.replace("dongnai.gov.vn", "khanhhoa.gov.vn"), now=NOW)


def test_bounces_our_own_and_overlong_senders_are_kept() -> None:
    srs = SenderRewriter(SECRET, "dongnai.gov.vn")
    assert srs.forward("") == ""
    assert srs.forward("vinhtv@dongnai.gov.vn") == "vinhtv@dongnai.gov.vn"
    long_sender = "x" * 60 + "@example.org"
    assert srs.forward(long_sender) == long_sender  # the rewritten local part would pass 64 octets
    with pytest.raises(ValueError):
        SenderRewriter(b"short", "dongnai.gov.vn")
