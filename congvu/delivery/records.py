"""The DNS records an installation asks its domains' administrators to publish (``congvu dns records``).

For each mail domain: MX (RFC 5321 §5.1) naming the server's host name; SPF (RFC 7208) allowing the MX hosts;
the DKIM public key (RFC 6376 §3.6.1) under the configured selector; a DMARC policy (RFC 7489 §6.3) with
aggregate reports to postmaster; MTA-STS (RFC 8461 §3.1) and TLS reporting (RFC 8460 §3); and the SRV records
mail clients use to find submission and IMAP (RFC 6186). The host name's own A/AAAA and PTR records depend on
the server's public address and are left to the administrator.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from congvu.config.settings import Settings
from congvu.installation.keys import dkim_dns_value

MTA_STS_MAX_AGE_S = 604_800  # one week, the RFC 8461 §3.2 example for a policy being tried


@dataclass(frozen=True)
class DnsRecord:
    name: str  # fully qualified, with the trailing dot
    type: str
    value: str  # presentation form without TXT quoting
    purpose: str


def mta_sts_policy(hostname: str, *, mode: str = "testing") -> str:
    """The policy file served at ``https://mta-sts.<domain>/.well-known/mta-sts.txt`` (RFC 8461 §3.2)."""
    return f"version: STSv1\r\nmode: {mode}\r\nmx: {hostname}\r\nmax_age: {MTA_STS_MAX_AGE_S}\r\n"


def dns_records(settings: Settings, *, dkim_key: Path | None = None) -> tuple[DnsRecord, ...]:
    hostname = settings.hostname.rstrip(".") + "."
    key = dkim_key if dkim_key is not None else settings.dkim_key
    dkim_value = dkim_dns_value(key) if key is not None and key.is_file() else None
    policy_id = hashlib.sha256(mta_sts_policy(settings.hostname).encode()).hexdigest()[:20]
    records: list[DnsRecord] = []
    for domain in settings.domains:
        zone = domain.rstrip(".") + "."
        report_to = f"mailto:postmaster@{domain}"
        records += [
            DnsRecord(zone, "MX", f"10 {hostname}", "máy chủ nhận thư (MX)"),
            DnsRecord(zone, "TXT", "v=spf1 mx -all", "SPF: chỉ máy chủ MX được gửi thư của tên miền"),
        ]
        if dkim_value is not None:
            records.append(DnsRecord(f"{settings.dkim_selector}._domainkey.{zone}", "TXT", dkim_value,
                                     "DKIM: khoá công khai kiểm tra chữ ký"))
        records += [
            DnsRecord(f"_dmarc.{zone}", "TXT", f"v=DMARC1; p=quarantine; adkim=r; aspf=r; rua={report_to}",
                      "DMARC: thư giả mạo tên miền bị đưa vào thư rác; báo cáo gửi postmaster"),
            DnsRecord(f"_mta-sts.{zone}", "TXT", f"v=STSv1; id={policy_id}",
                      "MTA-STS: có chính sách TLS tại https://mta-sts." + domain + "/.well-known/mta-sts.txt"),
            DnsRecord(f"mta-sts.{zone}", "CNAME", hostname, "MTA-STS: máy chủ web phục vụ chính sách"),
            DnsRecord(f"_smtp._tls.{zone}", "TXT", f"v=TLSRPTv1; rua={report_to}", "TLS-RPT: báo cáo lỗi TLS"),
            DnsRecord(f"_submission._tcp.{zone}", "SRV", f"0 1 587 {hostname}", "gửi thư từ phần mềm thư"),
            DnsRecord(f"_submissions._tcp.{zone}", "SRV", f"0 1 465 {hostname}", "gửi thư qua TLS"),
            DnsRecord(f"_imaps._tcp.{zone}", "SRV", f"0 1 993 {hostname}", "đọc thư qua IMAP TLS"),
        ]
    return tuple(records)


def zone_line(record: DnsRecord) -> str:
    """The record in zone-file syntax; TXT values split into 255-octet character-strings (RFC 1035 §3.3.14)."""
    value = record.value
    if record.type == "TXT":
        chunks = [value[i:i + 255] for i in range(0, len(value), 255)] or [""]
        value = " ".join('"' + c.replace("\\", "\\\\").replace('"', '\\"') + '"' for c in chunks)
    return f"{record.name}\t3600\tIN\t{record.type}\t{value}"


__all__ = ["DnsRecord", "dns_records", "mta_sts_policy", "zone_line"]
