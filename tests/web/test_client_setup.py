"""What mail clients fetch by themselves: Thunderbird autoconfig, Outlook Autodiscover, the Apple profile; and
the setup page people read."""

from __future__ import annotations

import plistlib
from collections.abc import Callable

from lxml import etree
from web_helpers import Browser, Province

from congvu.web.client_setup import AUTODISCOVER_OUTLOOK_NS

REQUEST = """<?xml version="1.0" encoding="utf-8"?>
<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006">
  <Request><EMailAddress>{address}</EMailAddress>
  <AcceptableResponseSchema>http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a</AcceptableResponseSchema>
  </Request></Autodiscover>"""


def test_thunderbird_autoconfig(browser: Callable[..., Browser], province: Province) -> None:
    client = browser().client
    for url in ("/.well-known/autoconfig/mail/config-v1.1.xml?emailaddress=dungdv%40dongnai.gov.vn",
                "/mail/config-v1.1.xml"):
        response = client.get(url)
        assert response.status_code == 200 and response.headers["content-type"].startswith("application/xml")
        root = etree.fromstring(response.content)
        provider = root.find("emailProvider")
        assert root.get("version") == "1.1" and provider.get("id") == "dongnai.gov.vn"  # type: ignore[union-attr]
        assert provider.findtext("domain") == "dongnai.gov.vn"  # type: ignore[union-attr]
        servers = [(s.tag, s.get("type"), s.findtext("hostname"), s.findtext("port"), s.findtext("socketType"),
                    s.findtext("username")) for s in provider.iter("incomingServer", "outgoingServer")]  # type: ignore[union-attr]
        assert servers == [
            ("incomingServer", "imap", "mail.dongnai.gov.vn", "993", "SSL", "%EMAILADDRESS%"),
            ("incomingServer", "imap", "mail.dongnai.gov.vn", "143", "STARTTLS", "%EMAILADDRESS%"),
            ("outgoingServer", "smtp", "mail.dongnai.gov.vn", "465", "SSL", "%EMAILADDRESS%"),
            ("outgoingServer", "smtp", "mail.dongnai.gov.vn", "587", "STARTTLS", "%EMAILADDRESS%"),
        ]


def test_outlook_autodiscover(browser: Callable[..., Browser], province: Province) -> None:
    client = browser().client
    ns = {"r": AUTODISCOVER_OUTLOOK_NS}
    response = client.post("/autodiscover/autodiscover.xml", content=REQUEST.format(address=province.staff))
    root = etree.fromstring(response.content)
    protocols = {p.findtext("r:Type", namespaces=ns): p for p in root.iterfind(".//r:Protocol", ns)}
    assert set(protocols) == {"IMAP", "SMTP"}
    imap, smtp = protocols["IMAP"], protocols["SMTP"]
    assert (imap.findtext("r:Server", namespaces=ns), imap.findtext("r:Port", namespaces=ns),
            imap.findtext("r:SSL", namespaces=ns)) == ("mail.dongnai.gov.vn", "993", "on")
    assert imap.findtext("r:LoginName", namespaces=ns) == province.staff
    assert smtp.findtext("r:Port", namespaces=ns) == "465"
    foreign = client.post("/Autodiscover/Autodiscover.xml", content=REQUEST.format(address="ke@gian.example"))
    assert b"ke@gian.example" not in foreign.content and foreign.status_code == 200
    hostile = ('<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
               "<Autodiscover><Request><EMailAddress>&x;</EMailAddress></Request></Autodiscover>")
    answer = client.post("/autodiscover/autodiscover.xml", content=hostile)
    assert answer.status_code == 200 and b"root:" not in answer.content
    assert client.get("/autodiscover/autodiscover.xml").status_code == 200


def test_apple_profile_and_setup_page(browser: Callable[..., Browser], province: Province) -> None:
    client = browser().client
    response = client.get("/cau-hinh-thu/apple.mobileconfig", params={"email": province.staff})
    assert response.headers["content-type"] == "application/x-apple-aspen-config"
    assert "attachment" in response.headers["content-disposition"]
    profile = plistlib.loads(response.content)
    assert profile["PayloadType"] == "Configuration"
    account = profile["PayloadContent"][0]
    assert account["PayloadType"] == "com.apple.mail.managed" and account["EmailAddress"] == province.staff
    assert (account["IncomingMailServerHostName"], account["IncomingMailServerPortNumber"]) == ("mail.dongnai.gov.vn",
                                                                                                 993)
    assert account["OutgoingMailServerPortNumber"] == 465 and account["IncomingMailServerUseSSL"] is True
    again = plistlib.loads(client.get("/cau-hinh-thu/apple.mobileconfig", params={"email": province.staff}).content)
    assert again["PayloadUUID"] == profile["PayloadUUID"]  # installing twice replaces, not duplicates
    assert client.get("/cau-hinh-thu/apple.mobileconfig", params={"email": "a@gmail.com"}).status_code == 400
    page = client.get("/cau-hinh-thu")
    assert "mail.dongnai.gov.vn" in page.text and "993" in page.text and "587" in page.text
    english = client.get("/cau-hinh-thu?lang=en")
    assert "Incoming mail (IMAP)" in english.text
