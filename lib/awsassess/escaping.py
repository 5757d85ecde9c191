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

Notebook outputs are also kept from MathJax, which JupyterLab runs on every Markdown and HTML output (a
price like "$4,110 ... $2,444" became mathematics): :func:`html_block` (and :class:`Html`) for HTML,
:func:`markdown_block` for Markdown, :data:`NO_MATH` on Styler tables.
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


# ------------------------------------------------------------------------------ notebook outputs
# JupyterLab 4 typesets every Markdown and HTML output with MathJax (inline maths between `$` signs, display
# maths between `$$`), so "$4,110 a month ... $2,444" became italic mathematics. MathJax leaves alone
# everything inside an element of class ``mathjax_ignore`` (MathJax 3/4, JupyterLab 4: its ``ignoreHtmlClass``)
# or ``tex2jax_ignore`` (MathJax 2: the classic Notebook, nbconvert's classic template): every output goes
# into one (:func:`html_block`, :func:`markdown_block`, :class:`Html`; Styler tables carry the classes on their
# <table>, :func:`awsassess.views.safe_styler`). In Markdown ``\$`` is no escape in JupyterLab (its Markdown
# parser turns it into a plain ``$`` that MathJax then pairs) and ``\\$`` leaves a backslash in nbconvert's
# HTML, so Markdown writes ``$`` as the entity ``&#36;`` (kept from JupyterLab's maths extraction) inside the
# ignored container. The report (nbconvert, no MathJax) shows a plain ``$`` either way.
NO_MATH = "tex2jax_ignore mathjax_ignore"
#: the class of every awsassess HTML output: the scope of the CSS an output brings along (:func:`html_block`)
OUTPUT_CLASS = "awsassess-output"
_SCOPE = f"div.{OUTPUT_CLASS}.{OUTPUT_CLASS}"  # above JupyterLab's `:not(.jp-RenderedMarkdown).jp-RenderedHTMLCommon td`
#: JupyterLab right-aligns every table cell: text left, numbers (class "num", as the report marks them) right
TABLE_CSS = (f"{_SCOPE} th, {_SCOPE} td {{ text-align: left; vertical-align: top; }}\n"
             f"{_SCOPE} th.num, {_SCOPE} td.num {{ text-align: right; white-space: nowrap; }}\n"
             f"{_SCOPE} table.full {{ width: 100%; }}")


def html_block(markup: str, css: str = "") -> str:
    """An HTML output as notebooks show it: ``markup`` (already escaped) in a ``<div>`` MathJax leaves alone,
    with the CSS it needs in JupyterLab, scoped to :data:`OUTPUT_CLASS` (the table alignment when it holds a
    table, and ``css``). The report's sanitiser drops that ``<style>`` (the report's own CSS applies), so the
    report looks as before; "" stays "" (no output)."""
    if not markup:
        return ""
    rules = "\n".join(r for r in (TABLE_CSS if "<table" in markup else "", css) if r)
    style = f"<style>\n{rules}\n</style>" if rules else ""
    return f'<div class="{OUTPUT_CLASS} {NO_MATH}">{style}{markup}</div>'


def markdown_block(markdown: str) -> str:
    """A Markdown output MathJax leaves alone: ``$`` written ``&#36;`` (shown as ``$`` by JupyterLab and by
    nbconvert), the whole in a ``<div>`` of the ignored classes (Markdown inside it is still Markdown)."""
    return f'<div class="{NO_MATH}">\n\n{markdown.replace("$", "&#36;")}\n\n</div>'


class Html:
    """A block of HTML built from escaped parts, shown by notebooks through :func:`html_block` (no maths, its
    tables aligned); ``markup`` is the HTML itself (what a report or a test embeds)."""

    def __init__(self, markup: str, css: str = "") -> None:
        self.markup = markup
        self.css = css

    def _repr_html_(self) -> str:
        return html_block(self.markup, self.css)

    def __str__(self) -> str:
        return self.markup


# ------------------------------------------------------------------------------ savings
def saving_text(value: Any, decimals: int = 0, unit: str = "", currency: str = "") -> str:
    """A saving as a table shows it: ``1,234`` (the header gives the unit; ``currency="$"`` gives ``$1,234``);
    a negative saving is a cost increase and says so (``costs 56 more``, ``costs 3% more`` with ``unit="%"``),
    never a minus sign under "Saving"; "–" when unknown. The figure is the model's; only its wording changes.
    One wording for the notebooks' tables and the report's summary (:func:`awsassess.report.summary.saving_money`)."""
    if value is None or isinstance(value, bool):
        return "–"
    try:
        v = float(value)
    except (TypeError, ValueError):
        return "–"
    if math.isnan(v):
        return "–"
    if round(v, decimals) < 0:
        return f"costs {currency}{-v:,.{decimals}f}{unit} more"
    return f"{currency}{abs(v):,.{decimals}f}"
