"""Mail client settings in the formats clients fetch by themselves.

- Thunderbird (and K-9, FairEmail, Evolution): the autoconfig ``clientConfig`` v1.1 document, served at
  ``/.well-known/autoconfig/mail/config-v1.1.xml`` and ``/mail/config-v1.1.xml`` (for ``autoconfig.DOMAIN``).
- Outlook: the POX Autodiscover response (``responseschema/2006`` with the ``outlook/responseschema/2006a``
  Response) at ``/autodiscover/autodiscover.xml``.
- iPhone, iPad and macOS: a configuration profile (``.mobileconfig``, a property list) with one
  ``com.apple.mail.managed`` payload.

The server names and ports come from the installation's settings; a listener turned off (port 0) is not offered.
Implicit TLS is listed before STARTTLS (RFC 8314 §3 asks clients to prefer it). The builders are pure.
"""

from __future__ import annotations

import plistlib
import uuid
from dataclasses import dataclass
from xml.sax.saxutils import escape

from lxml import etree

from congvu.config.settings import Settings

AUTODISCOVER_RESPONSE_NS = "http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006"
AUTODISCOVER_OUTLOOK_NS = "http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a"
MAX_AUTODISCOVER_REQUEST_BYTES = 16 * 1024


@dataclass(frozen=True)
class Endpoint:
    protocol: str  # imap | smtp
    port: int
    security: str  # SSL (implicit TLS) | STARTTLS


@dataclass(frozen=True)
class MailSetup:
    domain: str
    hostname: str
    org_name: str
    endpoints: tuple[Endpoint, ...]

    def first(self, protocol: str) -> Endpoint | None:
        return next((e for e in self.endpoints if e.protocol == protocol), None)


def mail_setup(settings: Settings) -> MailSetup:
    listen = settings.listen
    candidates = (Endpoint("imap", listen.imaps_port, "SSL"), Endpoint("imap", listen.imap_port, "STARTTLS"),
                  Endpoint("smtp", listen.smtps_port, "SSL"), Endpoint("smtp", listen.submission_port, "STARTTLS"))
    return MailSetup(settings.domain, settings.hostname, settings.org_name,
                     tuple(e for e in candidates if e.port > 0))


def thunderbird_config(setup: MailSetup) -> str:
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<clientConfig version="1.1">',
             f'  <emailProvider id="{escape(setup.domain)}">', f"    <domain>{escape(setup.domain)}</domain>",
             f"    <displayName>{escape(setup.org_name)}</displayName>",
             f"    <displayShortName>{escape(setup.domain)}</displayShortName>"]
    for endpoint in setup.endpoints:
        tag = "incomingServer" if endpoint.protocol == "imap" else "outgoingServer"
        lines += [f'    <{tag} type="{endpoint.protocol}">', f"      <hostname>{escape(setup.hostname)}</hostname>",
                  f"      <port>{endpoint.port}</port>", f"      <socketType>{endpoint.security}</socketType>",
                  "      <username>%EMAILADDRESS%</username>",
                  "      <authentication>password-cleartext</authentication>", f"    </{tag}>"]
    lines += ["  </emailProvider>", "</clientConfig>", ""]
    return "\n".join(lines)


def autodiscover_request_address(body: bytes) -> str | None:
    """The ``EMailAddress`` of an Outlook Autodiscover request, read without DTDs, entities or network."""
    if not body or len(body) > MAX_AUTODISCOVER_REQUEST_BYTES:
        return None
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.fromstring(body, parser=parser)
    except etree.XMLSyntaxError:
        return None
    for element in root.iter():
        if isinstance(element.tag, str) and etree.QName(element).localname == "EMailAddress":
            return (element.text or "").strip().lower() or None
    return None


def outlook_autodiscover(setup: MailSetup, address: str | None) -> str:
    protocols = []
    for protocol, kind in (("imap", "IMAP"), ("smtp", "SMTP")):
        endpoint = setup.first(protocol)
        if endpoint is None:
            continue
        security = ("        <SSL>on</SSL>" if endpoint.security == "SSL"
                    else "        <SSL>on</SSL>\n        <Encryption>TLS</Encryption>")
        login = f"        <LoginName>{escape(address)}</LoginName>\n" if address else ""
        protocols.append(f"      <Protocol>\n        <Type>{kind}</Type>\n"
                         f"        <Server>{escape(setup.hostname)}</Server>\n        <Port>{endpoint.port}</Port>\n"
                         f"        <DomainRequired>off</DomainRequired>\n{login}        <SPA>off</SPA>\n"
                         f"{security}\n        <AuthRequired>on</AuthRequired>\n      </Protocol>")
    body = "\n".join(protocols)
    return (f'<?xml version="1.0" encoding="utf-8"?>\n<Autodiscover xmlns="{AUTODISCOVER_RESPONSE_NS}">\n'
            f'  <Response xmlns="{AUTODISCOVER_OUTLOOK_NS}">\n    <Account>\n'
            f"      <AccountType>email</AccountType>\n      <Action>settings</Action>\n{body}\n"
            "    </Account>\n  </Response>\n</Autodiscover>\n")


def apple_profile(setup: MailSetup, address: str, full_name: str | None = None) -> bytes:
    """A ``.mobileconfig`` for one address; the same address always yields the same identifiers, so installing
    it again replaces the earlier profile instead of adding a second account."""
    reverse = ".".join(reversed(setup.domain.split(".")))
    account_uuid = str(uuid.uuid5(uuid.NAMESPACE_DNS, f"mail.{address}"))
    profile_uuid = str(uuid.uuid5(uuid.NAMESPACE_DNS, f"profile.{address}"))
    imap, smtp = setup.first("imap"), setup.first("smtp")
    account: dict[str, object] = {
        "EmailAccountDescription": f"Thư công vụ {setup.domain}",
        "EmailAccountName": full_name or address,
        "EmailAccountType": "EmailTypeIMAP",
        "EmailAddress": address,
        "PayloadDescription": "Cấu hình hộp thư điện tử công vụ",
        "PayloadDisplayName": f"Thư công vụ ({address})",
        "PayloadIdentifier": f"{reverse}.mail.account.{account_uuid}",
        "PayloadType": "com.apple.mail.managed",
        "PayloadUUID": account_uuid,
        "PayloadVersion": 1,
        "OutgoingPasswordSameAsIncomingPassword": True,
    }
    for prefix, endpoint in (("Incoming", imap), ("Outgoing", smtp)):
        if endpoint is None:
            continue
        account.update({
            f"{prefix}MailServerAuthentication": "EmailAuthPassword",
            f"{prefix}MailServerHostName": setup.hostname,
            f"{prefix}MailServerPortNumber": endpoint.port,
            f"{prefix}MailServerUseSSL": True,
            f"{prefix}MailServerUsername": address,
        })
    profile = {
        "PayloadContent": [account],
        "PayloadDescription": f"Thư điện tử công vụ của {setup.org_name}",
        "PayloadDisplayName": f"Thư công vụ — {setup.domain}",
        "PayloadIdentifier": f"{reverse}.mail.profile.{profile_uuid}",
        "PayloadOrganization": setup.org_name,
        "PayloadRemovalDisallowed": False,
        "PayloadType": "Configuration",
        "PayloadUUID": profile_uuid,
        "PayloadVersion": 1,
    }
    return plistlib.dumps(profile, fmt=plistlib.FMT_XML)
