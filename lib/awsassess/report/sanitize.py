"""Allow-list HTML sanitiser for everything a notebook puts into the client report.

Notebook outputs (``text/html``, ``text/markdown``) and markdown cells may carry strings that came
from AWS (names, tags, descriptions). They should already be escaped where they were built
(``DataFrame.to_html(escape=True)``, :func:`html.escape`); this is the second line of defence:
every tag outside a small allow-list is *escaped* (so ``<script>`` shows as text, it never runs),
event-handler attributes are dropped, images must be inline ``data:image/...`` URIs and links may
only point inside the document (``#anchor``) or to a relative path. Nothing is ever loaded over
the network when the report is opened, and nothing in it executes.
"""

from __future__ import annotations

import re
import secrets

import bleach
from bleach.css_sanitizer import CSSSanitizer

ALLOWED_TAGS = frozenset({
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "col", "colgroup", "dd", "del", "details",
    "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img",
    "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "section", "small", "span", "strong", "style",
    "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
})

# CSS properties pandas' Styler and simple inline styles use; nothing that can fetch a URL.
ALLOWED_CSS = frozenset({
    "text-align", "vertical-align", "color", "background-color", "font-weight", "font-style", "font-size",
    "white-space", "width", "min-width", "max-width", "height", "border", "border-top", "border-bottom",
    "border-left", "border-right", "border-collapse", "padding", "margin", "display", "opacity",
})

_CSS = CSSSanitizer(allowed_css_properties=ALLOWED_CSS)
_SCHEME = re.compile(r"^\s*([a-zA-Z][a-zA-Z0-9+.-]*):")


def _allowed_attribute(tag: str, name: str, value: str) -> bool:
    if name in {"class", "id", "title", "style"}:
        return True
    if tag == "img":
        if name == "src":
            return value.startswith("data:image/")
        return name in {"alt", "width", "height"}
    if tag == "a" and name == "href":
        # in-document anchors and relative paths only: no scheme (http:, javascript:, file:, ...)
        return not _SCHEME.match(value) and not value.strip().startswith("//")
    if tag in {"td", "th"}:
        return name in {"colspan", "rowspan", "align", "scope"}
    if tag in {"table", "col", "colgroup"}:
        return name in {"border", "span"}
    return False


# an inline image URI: nothing in it can end the attribute or open a tag
_DATA_IMAGE = re.compile(r"data:image/(?:png|jpeg|gif|webp);base64,[A-Za-z0-9+/]+=*")


def clean_html(fragment: str) -> str:
    """``fragment`` with disallowed tags escaped and unsafe attributes removed.

    Inline images (``data:image/...;base64,...``, hundreds of kB for a diagram) are set aside before
    the HTML parser runs and put back after: their alphabet cannot break out of an attribute, and
    parsing them character by character was most of the sanitiser's time.
    """
    images: dict[str, str] = {}
    nonce = secrets.token_hex(8)  # a fragment cannot forge a placeholder it cannot guess

    def park(m: re.Match[str]) -> str:
        key = f"data:image/png;base64,{nonce}{len(images)}"
        images[key] = m.group(0)
        return key

    cleaned = _clean(_DATA_IMAGE.sub(park, fragment))
    if not images:
        return cleaned
    return re.sub(rf"data:image/png;base64,{nonce}\d+", lambda m: images.get(m.group(0), m.group(0)), cleaned)


def _clean(fragment: str) -> str:
    return bleach.clean(
        fragment,
        tags=ALLOWED_TAGS,
        attributes=_allowed_attribute,
        protocols=["data"],
        css_sanitizer=_CSS,
        strip=False,
        strip_comments=True,
    )
