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

from awsassess import escaping

ALLOWED_TAGS = frozenset({
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "col", "colgroup", "dd", "del", "details",
    "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img",
    "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "section", "small", "span", "strong",
    "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
    "wbr",  # break opportunities awsassess.escaping puts inside long names
})  # no <style>: content cannot bring its own CSS (see styler_css)

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


# Bidirectional-text controls (U+202A-E, U+2066-9, U+200E/F): a name can use them to show text in
# another order than it is ("invoice_exe.txt" that reads "invoice_txt.exe"); they are removed.
def strip_bidi(value: str) -> str:
    return escaping.clean(value)


# <style> blocks are allowed only as pandas' Styler writes them: every selector scoped to its own
# table id (#T_...), only ALLOWED_CSS properties, values of plain words, numbers, colours and
# percentages: no @import, no url(), no escapes. Anything else is dropped. (An 87-character Name tag
# with <style>@import url(...)</style> made the PDF printer fetch an outside URL and hid figures.)
_STYLE_BLOCK = re.compile(r"<style\b[^>]*>(.*?)</style\s*>", re.S | re.I)
_RULE = re.compile(r"\s*([^{}]+)\{([^{}]*)\}\s*")
_SELECTOR = re.compile(r"^#T_[A-Za-z0-9_-]+(?:[\s>+~]*[#.]?[A-Za-z0-9_-]+(?::[a-z-]+(?:\([a-z0-9+-]+\))?)?)*$")
_CSS_VALUE = re.compile(r"^[#A-Za-z0-9 .,%()-]*$")


def styler_css(css: str) -> str | None:
    """``css`` rebuilt from its checked parts when it is Styler-shaped (see above), else None."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    if any(bad in css.lower() for bad in ("@", "url", "\\", "expression", "<", "&")):
        return None
    rules, pos = [], 0
    for m in _RULE.finditer(css):
        if m.start() != pos:
            return None
        pos = m.end()
        selectors = [sel.strip() for sel in m.group(1).split(",")]
        if not all(_SELECTOR.match(sel) for sel in selectors):
            return None
        decls = []
        for decl in filter(None, (d.strip() for d in m.group(2).split(";"))):
            prop, _, value = (x.strip() for x in decl.partition(":"))
            if prop.lower() not in ALLOWED_CSS or not _CSS_VALUE.match(value):
                return None
            decls.append(f"{prop.lower()}: {value}")
        rules.append(f"{', '.join(selectors)} {{ {'; '.join(decls)} }}")
    if css[pos:].strip():
        return None
    return "\n".join(rules)


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

    styles: dict[str, str] = {}

    def park_style(m: re.Match[str]) -> str:
        css = styler_css(m.group(1))
        if css is None:
            return ""  # dropped: never escaped into visible text, never applied
        key = f"awsassess-style-{nonce}-{len(styles)}"
        styles[key] = f'<style type="text/css">\n{css}\n</style>'
        return key

    fragment = _STYLE_BLOCK.sub(park_style, strip_bidi(fragment))
    cleaned = _clean(_DATA_IMAGE.sub(park, fragment))
    if styles:
        cleaned = re.sub(rf"awsassess-style-{nonce}-\d+", lambda m: styles.get(m.group(0), ""), cleaned)
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
