"""Showing the HTML of a message inside our own pages without letting it act: an allow-list sanitiser (nh3,
the Rust ``ammonia`` library) plus the webmail's rules for links and pictures.

- Only presentational tags and attributes pass; scripts, styles blocks, forms, frames, event handlers and
  ``class``/``id`` (which could borrow the page's own styles or anchors) are removed. Inline ``style`` keeps
  only harmless properties (colours, fonts, spacing, alignment): nothing that positions, overlays or loads.
- Links go to ``http``, ``https``, ``mailto`` and ``tel`` only, open in a new tab, and send no referrer.
- Pictures inside the message (``cid:``, RFC 2392) are pointed at our download of that part; ``data:`` pictures
  of raster types stay; pictures from other sites are removed and counted unless the reader asked for them,
  because loading them tells the sender when and where the message was read.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import unquote

import nh3

TAGS = frozenset({
    "a", "abbr", "address", "b", "big", "blockquote", "br", "caption", "center", "cite", "code", "col", "colgroup",
    "dd", "del", "details", "div", "dl", "dt", "em", "font", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img",
    "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "samp", "small", "span", "strike", "strong", "sub",
    "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "tt", "u", "ul", "var",
})
ATTRIBUTES: dict[str, set[str]] = {
    "*": {"title", "dir", "lang", "align", "style"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "font": {"color", "face", "size"},
    "table": {"width", "border", "cellpadding", "cellspacing", "bgcolor"},
    "td": {"colspan", "rowspan", "valign", "width", "bgcolor"},
    "th": {"colspan", "rowspan", "valign", "width", "bgcolor"},
    "tr": {"valign", "bgcolor"},
    "col": {"span", "width"},
    "colgroup": {"span", "width"},
    "ol": {"start", "type"},
    "ul": {"type"},
    "li": {"value"},
    "blockquote": {"cite"},
}
STYLE_PROPERTIES = frozenset({
    "color", "background-color", "font", "font-family", "font-size", "font-style", "font-weight", "font-variant",
    "text-align", "text-decoration", "text-indent", "text-transform", "line-height", "letter-spacing",
    "word-spacing", "white-space", "vertical-align", "margin", "margin-top", "margin-right", "margin-bottom",
    "margin-left", "padding", "padding-top", "padding-right", "padding-bottom", "padding-left", "border",
    "border-top", "border-right", "border-bottom", "border-left", "border-color", "border-style", "border-width",
    "border-collapse", "border-spacing", "border-radius", "width", "max-width", "min-width", "height",
    "list-style-type", "direction",
})
LINK_SCHEMES = ("http:", "https:", "mailto:", "tel:")
_DATA_IMAGE = re.compile(r"data:image/(png|jpeg|jpg|gif|webp);base64,[A-Za-z0-9+/=\s]+\Z", re.IGNORECASE)
_EMPTY_IMG = re.compile(r"<img(?![^>]*\ssrc=)[^>]*>")
_URL = re.compile(r"\b(https?://[^\s<>\"']+[^\s<>\"'.,;:!?)\]])")


@dataclass(frozen=True)
class SafeHtml:
    """Sanitised markup and the number of pictures from other sites that were held back."""

    markup: str
    blocked_images: int


def sanitise(markup: str, *, cid_url: Callable[[str], str | None], allow_remote: bool = False) -> SafeHtml:
    """Clean ``markup`` for display; ``cid_url`` maps a Content-ID to our URL of that part (or None)."""
    blocked = 0

    def keep(element: str, attribute: str, value: str) -> str | None:
        nonlocal blocked
        if element == "a" and attribute == "href":
            return value if value.strip().lower().startswith(LINK_SCHEMES) else None
        if element == "img" and attribute == "src":
            src = value.strip()
            lowered = src.lower()
            if lowered.startswith("cid:"):
                return cid_url(unquote(src[4:]).strip("<>"))
            if lowered.startswith("data:"):
                return src if _DATA_IMAGE.match(src) else None
            if lowered.startswith(("http:", "https:", "//")):
                if allow_remote and not lowered.startswith("//"):
                    return src
                blocked += 1
            return None
        if element == "blockquote" and attribute == "cite":
            return None
        return value

    cleaned = nh3.clean(
        markup, tags=set(TAGS), clean_content_tags={"script", "style", "title", "template", "noscript", "head"},
        attributes={tag: set(names) for tag, names in ATTRIBUTES.items()}, attribute_filter=keep,
        url_schemes={"http", "https", "mailto", "tel", "cid", "data"}, link_rel="noopener noreferrer nofollow",
        set_tag_attribute_values={"a": {"target": "_blank"}}, filter_style_properties=set(STYLE_PROPERTIES),
        strip_comments=True)
    # A picture whose source was refused leaves an empty <img>, which browsers draw as a broken image.
    return SafeHtml(_EMPTY_IMG.sub("", cleaned), blocked)


def text_to_html(text: str) -> str:
    """Plain text as markup: escaped, line breaks kept by the stylesheet (``white-space: pre-wrap``), web
    addresses made into links."""
    escaped = html.escape(text, quote=True)
    return _URL.sub(lambda m: f'<a href="{m.group(1)}" target="_blank" rel="noopener noreferrer nofollow">'
                              f"{m.group(1)}</a>", escaped)
