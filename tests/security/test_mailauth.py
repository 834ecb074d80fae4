"""DKIM verification, DMARC evaluation and policy, ARC, and the Authentication-Results field, through
evaluate_inbound with zones served by the in-memory resolver."""

from __future__ import annotations

import dkim
import pytest

from congvu.delivery.signing import DkimKey, dkim_sign
from congvu.mail.compose import build_message, prepend_header
from congvu.security.authresults import parse_results
from congvu.security.dkimverify import DkimResult, verify_dkim
from congvu.security.dmarc import DmarcPolicy, organizational_domain, parse_record
from congvu.security.dns import StaticResolver
from congvu.security.mailauth import Disposition, InboundPolicy, evaluate_inbound

SENDER_IP = "198.51.100.25"


def message(author: str = "Nguyễn Văn An <an@sender.example>", body: str = "Kính gửi Sở.") -> bytes:
    return build_message(from_addr=author, to=["vinhtv@dongnai.gov.vn"], subject="Công văn số 12", text=body)


def zone(dkim_txt: str, *, dmarc: str = "v=DMARC1; p=reject; rua=mailto:d@sender.example",
         spf: str = f"v=spf1 ip4:{SENDER_IP} -all") -> StaticResolver:
    return StaticResolver(txt_records={
        "sender.example": [spf],
        "sel._domainkey.sender.example": [dkim_txt],
        "_dmarc.sender.example": [dmarc],
        "bounces.sender.example": [spf],
    })


def signed(pem: bytes, raw: bytes | None = None, domain: str = "sender.example") -> bytes:
    return dkim_sign(raw or message(), DkimKey("sel", pem), domain)


async def test_aligned_spf_and_dkim_pass(dkim_pair: tuple[bytes, str]) -> None:
    pem, txt = dkim_pair
    result = await evaluate_inbound(raw=signed(pem), client_ip=SENDER_IP, helo="mail.sender.example",
                                    mail_from="an@sender.example", resolver=zone(txt),
                                    authserv_id="mail.dongnai.gov.vn")
    assert result.spf.result == "pass"
    assert [d.result for d in result.dkim] == [DkimResult.PASS]
    assert result.dmarc.result == "pass" and result.dmarc.spf_aligned and result.dmarc.dkim_aligned
    assert result.disposition == Disposition.ACCEPT
    assert result.dmarc_policy == DmarcPolicy.REJECT
    authserv, methods = parse_results(result.header)
    assert authserv == "mail.dongnai.gov.vn"
    assert methods == {"spf": "pass", "dkim": "pass", "dmarc": "pass", "arc": "none"}
    assert "header.d=sender.example" in result.header and "smtp.mailfrom=an@sender.example" in result.header
    # The field can be added in front of the message as it is.
    stamped = prepend_header(signed(pem), "Authentication-Results", result.header)
    assert stamped.startswith(b"Authentication-Results: mail.dongnai.gov.vn;")


async def test_forged_author_is_rejected_under_p_reject(dkim_pair: tuple[bytes, str]) -> None:
    _, txt = dkim_pair
    result = await evaluate_inbound(raw=message(), client_ip="203.0.113.9", helo="evil.example",
                                    mail_from="x@evil.example", resolver=zone(txt))
    assert result.spf.result == "none" and result.dkim == () and result.dmarc.result == "fail"
    assert result.disposition == Disposition.REJECT
    relaxed = await evaluate_inbound(raw=message(), client_ip="203.0.113.9", helo="evil.example",
                                     mail_from="x@evil.example", resolver=zone(txt),
                                     policy=InboundPolicy(honour_reject=False))
    assert relaxed.disposition == Disposition.QUARANTINE
    off = InboundPolicy.from_config({"mailauth": {"dmarc_reject": False, "dmarc_quarantine": False}})
    ignored = await evaluate_inbound(raw=message(), client_ip="203.0.113.9", helo="evil.example",
                                     mail_from="x@evil.example", resolver=zone(txt), policy=off)
    assert ignored.disposition == Disposition.ACCEPT and ignored.dmarc.result == "fail"


async def test_tampered_body_fails_dkim_but_spf_keeps_dmarc_passing(dkim_pair: tuple[bytes, str]) -> None:
    pem, txt = dkim_pair
    raw = signed(pem).rsplit(b"\r\n\r\n", 1)[0] + b"\r\n\r\nNoi dung da bi sua.\r\n"
    result = await evaluate_inbound(raw=raw, client_ip=SENDER_IP, helo="mail.sender.example",
                                    mail_from="an@sender.example", resolver=zone(txt))
    assert [d.result for d in result.dkim] == [DkimResult.FAIL]
    assert result.dmarc.result == "pass" and result.dmarc.spf_aligned and not result.dmarc.dkim_aligned


async def test_dkim_key_missing_temporary_and_malformed(dkim_pair: tuple[bytes, str]) -> None:
    pem, txt = dkim_pair
    raw = signed(pem)
    assert (await verify_dkim(raw, StaticResolver(txt_records={"sender.example": ["x"]})))[0].result == \
        DkimResult.PERMERROR
    flaky = StaticResolver(temporary=frozenset({"sel._domainkey.sender.example"}))
    assert (await verify_dkim(raw, flaky))[0].result == DkimResult.TEMPERROR
    broken = prepend_header(message(), "DKIM-Signature", "v=1; a=rsa-sha256; d=sender.example")
    assert (await verify_dkim(broken, zone(txt)))[0].result == DkimResult.NEUTRAL


async def test_relaxed_and_strict_alignment(dkim_pair: tuple[bytes, str]) -> None:
    pem, txt = dkim_pair
    resolver = zone(txt)
    # Signed by the parent domain, author in a sub-domain: aligned when relaxed (the default).
    sub_author = message(author="an@news.sender.example")
    resolver.txt_records = {**resolver.txt_records, "news.sender.example": ["v=spf1 -all"]}  # type: ignore[misc]
    relaxed = await evaluate_inbound(raw=signed(pem, sub_author), client_ip="203.0.113.9", helo="h.example",
                                     mail_from="b@bounces.sender.example", resolver=resolver)
    assert relaxed.dmarc.result == "pass" and relaxed.dmarc.record_domain == "sender.example"
    strict = zone(txt, dmarc="v=DMARC1; p=quarantine; sp=reject; adkim=s; aspf=s")
    strict.txt_records = {**strict.txt_records, "news.sender.example": ["v=spf1 -all"]}  # type: ignore[misc]
    result = await evaluate_inbound(raw=signed(pem, sub_author), client_ip=SENDER_IP, helo="h.example",
                                    mail_from="b@bounces.sender.example", resolver=strict)
    assert result.dmarc.result == "fail"
    assert result.dmarc.policy == DmarcPolicy.QUARANTINE and result.dmarc.applied_policy == DmarcPolicy.REJECT
    assert result.disposition == Disposition.REJECT


async def test_no_dmarc_record_and_bad_from(dkim_pair: tuple[bytes, str]) -> None:
    _, txt = dkim_pair
    resolver = StaticResolver(txt_records={"sender.example": ["v=spf1 -all"]})
    result = await evaluate_inbound(raw=message(), client_ip=SENDER_IP, helo="h", mail_from="an@sender.example",
                                    resolver=resolver)
    assert result.dmarc.result == "none" and result.disposition == Disposition.ACCEPT
    two_from = prepend_header(message(), "From", "b@other.example")
    result = await evaluate_inbound(raw=two_from, client_ip=SENDER_IP, helo="h", mail_from="an@sender.example",
                                    resolver=zone(txt))
    assert result.dmarc.result == "permerror"


def test_dmarc_record_parsing_and_organizational_domain() -> None:
    record = parse_record("v=DMARC1; p=quarantine; pct=30; adkim=s; rua=mailto:x@y")
    assert record is not None and (record.policy, record.percent, record.dkim_strict, record.spf_strict) == (
        DmarcPolicy.QUARANTINE, 30, True, False)
    assert parse_record("v=DMARC1; p=bogus") is None
    fallback = parse_record("v=DMARC1; p=bogus; rua=mailto:x@y")
    assert fallback is not None and fallback.policy == DmarcPolicy.NONE  # RFC 7489 §6.6.3
    assert parse_record("v=spf1 -all") is None
    assert organizational_domain("stttt.dongnai.gov.vn") == "dongnai.gov.vn"
    assert organizational_domain("mail.example.co.uk") == "example.co.uk"
    assert organizational_domain("a.b.example.test") == "example.test"


async def test_percentage_sampling_softens_the_policy(dkim_pair: tuple[bytes, str]) -> None:
    _, txt = dkim_pair
    dispositions = set()
    for n in range(40):
        result = await evaluate_inbound(raw=message(body=f"thư {n}"), client_ip="203.0.113.9", helo="h",
                                        mail_from="x@evil.example",
                                        resolver=zone(txt, dmarc="v=DMARC1; p=reject; pct=50"))
        dispositions.add(result.disposition)
    assert dispositions == {Disposition.REJECT, Disposition.QUARANTINE}


async def test_arc_chain_from_a_forwarder(dkim_pair: tuple[bytes, str]) -> None:
    pem, txt = dkim_pair
    original = signed(pem)
    forwarded = prepend_header(original, "Authentication-Results", "lists.forwarder.example; dkim=pass")
    arc_headers = dkim.arc_sign(forwarded, b"sel", b"forwarder.example", pem, b"lists.forwarder.example")
    sealed = b"".join(arc_headers) + forwarded
    resolver = zone(txt)
    resolver.txt_records = {**resolver.txt_records, "sel._domainkey.forwarder.example": [txt]}  # type: ignore[misc]
    result = await evaluate_inbound(raw=sealed, client_ip="192.0.2.200", helo="lists.forwarder.example",
                                    mail_from="bounce@forwarder.example", resolver=resolver)
    assert result.arc.result == "pass" and result.arc.instances == 1
    assert parse_results(result.header)[1]["arc"] == "pass"
    altered = sealed.replace(b"\r\n\r\n", b"\r\n\r\nX", 1)  # the body changed after sealing
    result = await evaluate_inbound(raw=altered, client_ip="192.0.2.200", helo="h",
                                    mail_from="bounce@forwarder.example", resolver=resolver)
    assert result.arc.result == "fail"


@pytest.mark.parametrize("helo", ["mail.sender.example", "[198.51.100.25]"])
async def test_null_sender_uses_helo_identity(dkim_pair: tuple[bytes, str], helo: str) -> None:
    _, txt = dkim_pair
    resolver = zone(txt)
    resolver.txt_records = {**resolver.txt_records, "mail.sender.example": [f"v=spf1 ip4:{SENDER_IP} -all"]}  # type: ignore[misc]
    result = await evaluate_inbound(raw=message(), client_ip=SENDER_IP, helo=helo, mail_from="", resolver=resolver)
    assert result.spf.identity == "helo"
    assert ("smtp.helo=" in result.header)
    assert result.spf.result == ("pass" if helo.startswith("mail") else "none")
