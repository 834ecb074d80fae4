"""Settings of outbound delivery and of the DNS resolver, read from ``congvu.toml``.

``[delivery]`` (all optional)::

    retry_base_s = 300          # first retry after 5 minutes, then doubling (RFC 5321 §4.5.4.1)
    retry_max_s = 14400         # never wait more than 4 hours between attempts
    expire_hours = 120          # give up (and send a DSN) after 5 days (RFC 5321 §4.5.4.1: 4–5 days)
    delay_warning_hours = 4     # tell the sender once that mail is still waiting (RFC 3461 DELAY); 0: never
    concurrency = 20            # SMTP transactions in flight at once
    connect_timeout_s = 30
    command_timeout_s = 300     # RFC 5321 §4.5.3.2 suggests 5 minutes for most replies
    poll_interval_s = 15        # how often the worker looks for due mail besides the wake-ups
    mta_sts = true              # honour the recipient domain's MTA-STS policy (RFC 8461)

``[delivery.routes]``: ``"domain" = "host:port"`` static routes that override MX (also for sub-domains when the
key starts with a dot: ``".gov.vn"``). ``[dns] resolver = "127.0.0.1:5353"`` sends every DNS query to that
server instead of the system's resolvers (``timeout_s`` bounds a lookup).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from congvu.config.settings import Settings
from congvu.errors import ConfigError


@dataclass(frozen=True)
class HostPort:
    host: str
    port: int

    def __str__(self) -> str:
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"


def parse_host_port(value: str, *, default_port: int, name: str) -> HostPort:
    """``host``, ``host:port``, ``[v6]:port`` or a bare IPv6 address."""
    text = value.strip()
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        port_text = rest[1:] if rest.startswith(":") else ""
    elif text.count(":") == 1:
        host, _, port_text = text.partition(":")
    else:
        host, port_text = text, ""
    try:
        port = int(port_text) if port_text else default_port
    except ValueError as exc:
        raise ConfigError(f"«{name}» phải có dạng máy:cổng, không phải {value!r}") from exc
    if not host or not 0 < port < 65536:
        raise ConfigError(f"«{name}» phải có dạng máy:cổng, không phải {value!r}")
    return HostPort(host.lower(), port)


@dataclass(frozen=True)
class DeliverySettings:
    hostname: str
    domain: str
    local_domains: tuple[str, ...]
    routes: dict[str, HostPort] = field(default_factory=dict)
    retry_base_s: float = 300.0
    retry_max_s: float = 14400.0
    expire_s: float = 120 * 3600.0
    delay_warning_s: float = 4 * 3600.0
    concurrency: int = 20
    connect_timeout_s: float = 30.0
    command_timeout_s: float = 300.0
    poll_interval_s: float = 15.0
    mta_sts: bool = True
    dkim_selector: str = "congvu"

    def route_for(self, domain: str) -> HostPort | None:
        """The static route for ``domain``: an exact key first, then the longest ``.suffix`` key."""
        domain = domain.lower().rstrip(".")
        if domain in self.routes:
            return self.routes[domain]
        best: tuple[int, HostPort] | None = None
        for key, target in self.routes.items():
            if key.startswith(".") and domain.endswith(key) and (best is None or len(key) > best[0]):
                best = (len(key), target)
        return best[1] if best else None


@dataclass(frozen=True)
class DnsSettings:
    server: HostPort | None = None
    timeout_s: float = 5.0


def _number(section: dict[str, object], key: str, default: float, where: str) -> float:
    value = section.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ConfigError(f"«{where}.{key}» phải là một số không âm, không phải {value!r}")
    return float(value)


def _section(raw: dict[str, object], name: str) -> dict[str, object]:
    value = raw.get(name, {})
    return value if isinstance(value, dict) else {}


def delivery_settings(settings: Settings) -> DeliverySettings:
    raw = _section(settings.raw, "delivery")
    routes = {domain.lower().rstrip(".") if not domain.startswith(".") else domain.lower():
              parse_host_port(target, default_port=25, name=f"delivery.routes.{domain}")
              for domain, target in settings.delivery_routes.items()}
    return DeliverySettings(
        hostname=settings.hostname,
        domain=settings.domain,
        local_domains=settings.domains,
        routes=routes,
        retry_base_s=_number(raw, "retry_base_s", 300, "delivery"),
        retry_max_s=_number(raw, "retry_max_s", 14400, "delivery"),
        expire_s=_number(raw, "expire_hours", 120, "delivery") * 3600,
        delay_warning_s=_number(raw, "delay_warning_hours", 4, "delivery") * 3600,
        concurrency=max(1, int(_number(raw, "concurrency", 20, "delivery"))),
        connect_timeout_s=_number(raw, "connect_timeout_s", 30, "delivery"),
        command_timeout_s=_number(raw, "command_timeout_s", 300, "delivery"),
        poll_interval_s=_number(raw, "poll_interval_s", 15, "delivery"),
        mta_sts=bool(raw.get("mta_sts", True)),
        dkim_selector=settings.dkim_selector,
    )


def dns_settings(settings: Settings) -> DnsSettings:
    raw = _section(settings.raw, "dns")
    server = raw.get("resolver")
    return DnsSettings(
        server=parse_host_port(str(server), default_port=53, name="dns.resolver") if server else None,
        timeout_s=_number(raw, "timeout_s", 5, "dns"),
    )


__all__ = ["DeliverySettings", "DnsSettings", "HostPort", "delivery_settings", "dns_settings", "parse_host_port"]
