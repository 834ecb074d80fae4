"""Vietnamese first, English on request (``?lang=en`` or the ``lang`` cookie).

Pages are written in Vietnamese and wrap each phrase in ``_("…")``; :data:`congvu.web.catalog_en.EN` maps the
Vietnamese phrase to English. A phrase missing there shows in Vietnamese (a test keeps the catalogue complete).
Domain errors carry their own English (``message_en``).
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import Request

from congvu.errors import CongVuError
from congvu.web.catalog_en import EN

LANGUAGES = ("vi", "en")


def language(request: Request) -> str:
    asked = request.query_params.get("lang") or request.cookies.get("lang") or "vi"
    return asked if asked in LANGUAGES else "vi"


def translate(text: str, lang: str) -> str:
    return EN.get(text, text) if lang == "en" else text


def translator(lang: str) -> Callable[[str], str]:
    def _(text: str) -> str:
        return translate(text, lang)

    return _


def error_text(exc: CongVuError, lang: str) -> str:
    return exc.message_en if lang == "en" else exc.message
