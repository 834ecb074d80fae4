"""SPF check_host() (RFC 7208) against zones served by the in-memory resolver."""

from __future__ import annotations

import ipaddress

from congvu.security.dns import StaticResolver
from congvu.security.spf import SpfOutcome, SpfResult, _State, check_host, expand


async def spf(resolver: StaticResolver, ip: str, sender: str = "user@example.org",
              helo: str = "mx.example.org") -> SpfOutcome:
    return await check_host(client_ip=ip, mail_from=sender, helo=helo, resolver=resolver)


async def test_ip4_ip6_and_qualifiers() -> None:
    r = StaticResolver(txt_records={"example.org": ["v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 ~all"]})
    assert (await spf(r, "192.0.2.7")).result == SpfResult.PASS
    assert (await spf(r, "2001:db8::1")).result == SpfResult.PASS
    assert (await spf(r, "198.51.100.1")).result == SpfResult.SOFTFAIL
    assert (await spf(r, "::ffff:192.0.2.9")).result == SpfResult.PASS  # IPv4-mapped is IPv4 (§5)


async def test_no_record_and_nonexistent_domain_are_none() -> None:
    r = StaticResolver(txt_records={"example.org": ["google-site-verification=x"]})
    assert (await spf(r, "192.0.2.1")).result == SpfResult.NONE
    assert (await spf(r, "192.0.2.1", sender="a@nowhere.example")).result == SpfResult.NONE


async def test_two_records_is_permerror() -> None:
    r = StaticResolver(txt_records={"example.org": ["v=spf1 -all", "v=spf1 +all"]})
    assert (await spf(r, "192.0.2.1")).result == SpfResult.PERMERROR


async def test_a_mx_with_cidr_and_default_neutral() -> None:
    r = StaticResolver(
        txt_records={"example.org": ["v=spf1 a/30 mx:mail.example.org -all"], "other.org": ["v=spf1 a"]},
        a_records={"example.org": ["192.0.2.8"], "mx1.example.org": ["203.0.113.5"], "other.org": ["10.0.0.1"]},
        mx_records={"mail.example.org": [(10, "mx1.example.org")]})
    assert (await spf(r, "192.0.2.10")).result == SpfResult.PASS  # 192.0.2.8/30
    assert (await spf(r, "203.0.113.5")).result == SpfResult.PASS
    assert (await spf(r, "203.0.113.6")).result == SpfResult.FAIL
    assert (await spf(r, "10.9.9.9", sender="x@other.org")).result == SpfResult.NEUTRAL


async def test_include_and_redirect() -> None:
    r = StaticResolver(txt_records={
        "example.org": ["v=spf1 include:_spf.provider.net -all"],
        "_spf.provider.net": ["v=spf1 ip4:198.51.100.0/24 -all"],
        "sub.example.org": ["v=spf1 redirect=example.org"],
        "broken.org": ["v=spf1 include:missing.example -all"],
        "loose.org": ["v=spf1 redirect=missing.example"],
    })
    assert (await spf(r, "198.51.100.20")).result == SpfResult.PASS
    assert (await spf(r, "192.0.2.1")).result == SpfResult.FAIL  # include's fail is "no match", then -all
    assert (await spf(r, "198.51.100.20", sender="a@sub.example.org")).result == SpfResult.PASS
    assert (await spf(r, "198.51.100.20", sender="a@broken.org")).result == SpfResult.PERMERROR
    assert (await spf(r, "198.51.100.20", sender="a@loose.org")).result == SpfResult.PERMERROR


async def test_lookup_limit_of_ten() -> None:
    txt = {f"l{i}.example.org": [f"v=spf1 include:l{i + 1}.example.org"] for i in range(12)}
    txt["l12.example.org"] = ["v=spf1 +all"]
    txt["example.org"] = ["v=spf1 include:l0.example.org -all"]
    result = await spf(StaticResolver(txt_records=txt), "192.0.2.1")
    assert result.result == SpfResult.PERMERROR
    assert "10" in result.reason


async def test_void_lookup_limit() -> None:
    r = StaticResolver(txt_records={"example.org": ["v=spf1 a:n1.example.org a:n2.example.org a:n3.example.org -all"]})
    assert (await spf(r, "192.0.2.1")).result == SpfResult.PERMERROR


async def test_temporary_dns_failure_is_temperror() -> None:
    r = StaticResolver(txt_records={"example.org": ["v=spf1 include:flaky.net -all"]},
                       temporary=frozenset({"flaky.net"}))
    assert (await spf(r, "192.0.2.1")).result == SpfResult.TEMPERROR


async def test_exists_with_macros_and_ptr() -> None:
    r = StaticResolver(
        txt_records={"example.org": ["v=spf1 exists:%{ir}.%{l1r+-}._spf.%{d} -all"],
                     "ptr.org": ["v=spf1 ptr -all"]},
        a_records={"1.2.0.192.user._spf.example.org": ["127.0.0.2"], "host.ptr.org": ["192.0.2.44"]},
        ptr_records={"44.2.0.192.in-addr.arpa": ["host.ptr.org"]})
    assert (await spf(r, "192.0.2.1", sender="user@example.org")).result == SpfResult.PASS
    assert (await spf(r, "192.0.2.2", sender="user@example.org")).result == SpfResult.FAIL
    assert (await spf(r, "192.0.2.44", sender="a@ptr.org")).result == SpfResult.PASS
    assert (await spf(r, "192.0.2.45", sender="a@ptr.org")).result == SpfResult.FAIL


def test_macro_expansion_examples_of_rfc7208() -> None:
    # RFC 7208 §7.4, sender strong-bad@email.example.com, IP 192.0.2.3.
    state = _State(ip=ipaddress.ip_address("192.0.2.3"), sender="strong-bad@email.example.com",
                   helo="mx.example.org", resolver=StaticResolver())
    domain = "email.example.com"
    assert expand("%{s}", state, domain) == "strong-bad@email.example.com"
    assert expand("%{o}", state, domain) == "email.example.com"
    assert expand("%{d4}", state, domain) == "email.example.com"
    assert expand("%{d2}", state, domain) == "example.com"
    assert expand("%{dr}", state, domain) == "com.example.email"
    assert expand("%{d2r}", state, domain) == "example.email"
    assert expand("%{l}", state, domain) == "strong-bad"
    assert expand("%{l-}", state, domain) == "strong.bad"
    assert expand("%{lr-}", state, domain) == "bad.strong"
    assert expand("%{l1r-}", state, domain) == "strong"
    assert expand("%{ir}.%{v}._spf.%{d2}", state, domain) == "3.2.0.192.in-addr._spf.example.com"
    v6 = _State(ip=ipaddress.ip_address("2001:db8::cb01"), sender="a@b.example", helo="h", resolver=StaticResolver())
    assert expand("%{ir}.%{v}._spf.%{d2}", v6, "email.example.com") == (
        "1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6._spf.example.com")


async def test_null_sender_checks_helo() -> None:
    r = StaticResolver(txt_records={"mx.example.org": ["v=spf1 ip4:192.0.2.5 -all"]})
    result = await check_host(client_ip="192.0.2.5", mail_from="", helo="mx.example.org", resolver=r)
    assert (result.result, result.identity, result.sender) == (SpfResult.PASS, "helo", "postmaster@mx.example.org")
    literal = await check_host(client_ip="192.0.2.5", mail_from="", helo="[192.0.2.5]", resolver=r)
    assert literal.result == SpfResult.NONE


async def test_unknown_mechanism_is_permerror() -> None:
    r = StaticResolver(txt_records={"example.org": ["v=spf1 ip4:192.0.2.1 foo:bar -all"]})
    # §4.6: a syntax error anywhere in the record, even after a matching term.
    assert (await spf(r, "192.0.2.1")).result == SpfResult.PERMERROR
