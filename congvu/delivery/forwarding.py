"""The sender rewriter of an installation (``[delivery] srs``, :mod:`congvu.mail.srs`): the SMTP server rewrites
the sender of mail it forwards outside with it, the outbound worker reverses it to report on such mail, and a
released held message is forwarded with it. One secret per installation, kept in the data folder."""

from __future__ import annotations

from collections.abc import Mapping

from congvu.config.settings import Settings
from congvu.errors import ConfigError
from congvu.installation.keys import srs_secret
from congvu.mail.srs import SenderRewriter

SRS_KEY_FILE = "srs.key"


def srs_enabled(raw: Mapping[str, object]) -> bool:
    """``[delivery] srs`` (on unless ``false``): rewrite the sender of mail forwarded outside (RFC-less but
    universal practice, see :mod:`congvu.mail.srs`)."""
    section = raw.get("delivery", {})
    value = section.get("srs", True) if isinstance(section, Mapping) else True
    if not isinstance(value, bool):
        raise ConfigError(f"«delivery.srs» phải là true hoặc false: {value!r}",
                          message_en=f"'delivery.srs' must be true or false: {value!r}")
    return value


def sender_rewriter(settings: Settings) -> SenderRewriter | None:
    """The installation's rewriter (same secret and domain in every process), or ``None`` when SRS is off."""
    if not srs_enabled(settings.raw):
        return None
    return SenderRewriter(srs_secret(settings.data.root / SRS_KEY_FILE), settings.domain)
