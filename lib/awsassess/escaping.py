"""One escaper for every piece of HTML awsassess emits (views, notebooks, report, portfolio, SVG labels).

Names, tags and messages come from the client's AWS account. A VPC named ``<img src=x onerror=...>``
was live markup in the executed notebooks (JupyterLab renders a notebook's own outputs as trusted
HTML, next to the Jupyter server's token and the client's credentials) and in ``nbconvert --to html``.

:func:`text` makes any value safe as HTML text or an attribute value: control characters and
bidirectional-text overrides removed (a name cannot display in another order than it is), ``& < > " '``
escaped, and a ``<wbr>`` break opportunity every 24 characters inside a run of 32 or more characters
without a space (a 255-character name no longer pushes a table off the page). :func:`plain` is the
same without ``<wbr>`` (for SVG/Graphviz labels and attributes). Styler tables use :func:`styler_text`
as their formatter for text cells and escape their headers.
"""

from __future__ import annotations

import html
import math
import re
from typing import Any

# C0 controls but tab/newline, DEL, and the bidirectional controls U+200E/F, U+202A-E, U+2066-9, U+061C
_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200e\u200f\u202a-\u202e\u2066-\u2069\u061c]")
_LONG_RUN = re.compile(r"\S{32,}")
BREAK_EVERY = 24


def clean(value: Any) -> str:
    """``value`` as text without control or bidirectional-override characters ('' for None/NaN)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return _UNSAFE.sub("", str(value))


def plain(value: Any) -> str:
    """HTML/XML-escaped text (quotes too), control and bidi characters removed."""
    return html.escape(clean(value), quote=True)


def text(value: Any) -> str:
    """:func:`plain` plus ``<wbr>`` break opportunities inside long unbroken runs."""
    raw = clean(value)

    def breakable(m: re.Match[str]) -> str:
        run = m.group(0)
        return "<wbr>".join(html.escape(run[i:i + BREAK_EVERY], quote=True) for i in range(0, len(run), BREAK_EVERY))

    out, pos = [], 0
    for m in _LONG_RUN.finditer(raw):
        out.append(html.escape(raw[pos:m.start()], quote=True))
        out.append(breakable(m))
        pos = m.end()
    out.append(html.escape(raw[pos:], quote=True))
    return "".join(out)


def styler_text(value: Any) -> str:
    """Formatter for a Styler's text cells (numbers are formatted by their own formatters)."""
    return text(value)
