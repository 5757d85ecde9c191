"""The report HTML after nbconvert: unique heading ids, contents that land on visible headings, alt text.

nbconvert derives a heading's ``id`` from its text, so every domain notebook's ``## Findings`` became
``id="Findings"`` (six times in one report), and :mod:`awsassess.report.merge` marked second-level
headings with an empty ``<a class="subsection-anchor" id=...>`` placed before them, which the
stylesheet hides: a browser does not scroll to a hidden element, so most contents links did nothing.
:func:`finish_report` fixes the document once it is whole:

- each contents anchor moves onto its heading (the empty placeholder goes), so a link lands on
  a visible ``<h2>``;
- every other heading id is prefixed with its section's anchor (``sec-20-compute--Findings``) and
  de-duplicated with ``-2``, ``-3`` in document order; the heading's own ``¶`` link and in-document
  links written against the old id (``[see](#Findings)`` within that section) follow;
- every ``<img>`` gets a meaningful ``alt``: its own when it has one, else the heading it sits under
  ("Chart: Where the money goes"); nbconvert's "No description has been provided for this image"
  counts as none.

Everything it writes is set through the parser (attribute values are escaped on output), and the
result still goes through :func:`awsassess.report.export.check_self_contained`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

from bs4 import BeautifulSoup, NavigableString, Tag

log = logging.getLogger(__name__)

HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
#: what nbconvert writes on an image without alt text: not a description
NBCONVERT_ALT = "No description has been provided for this image"
#: classes of elements the stylesheet hides: never a link target
HIDDEN_TARGETS = frozenset({"anchor-link", "subsection-anchor"})
SECTION_HEAD = "section-head"
ANCHOR_LINK = "anchor-link"


def _classes(el: Tag) -> list[str]:
    value = el.get("class")
    if isinstance(value, str):
        return value.split()
    return list(value or [])


def _is_section_head(el: Tag) -> bool:
    return el.name == "header" and SECTION_HEAD in _classes(el)


def _cell_of(el: Tag) -> Tag | None:
    """The notebook cell (``div.jp-Cell``) holding ``el``, None outside any."""
    for parent in el.parents:
        if parent.name == "div" and "jp-Cell" in _classes(parent):
            return parent
    return None


def heading_text(heading: Tag) -> str:
    """A heading's text without its ``¶`` link."""
    parts = []
    for piece in heading.descendants:
        if isinstance(piece, str) and not any(
                isinstance(p, Tag) and ANCHOR_LINK in _classes(p) for p in piece.parents):
            parts.append(piece)
    return " ".join("".join(parts).split())


def _move_placeholders(soup: BeautifulSoup) -> dict[int, str]:
    """Put each ``a.subsection-anchor``'s id on the heading after it; ``{id(heading): anchor}``."""
    taken: dict[int, str] = {}
    for marker in soup.select("a.subsection-anchor[id]"):
        anchor = str(marker["id"])
        heading = marker.find_next(HEADINGS)
        if heading is None or _cell_of(heading) is not _cell_of(marker) or id(heading) in taken:
            log.warning("report: contents anchor %s has no heading after it in its cell", anchor)
            continue
        taken[id(heading)] = anchor
        holder = marker.parent
        marker.decompose()
        if isinstance(holder, Tag) and holder.name == "p" and not holder.get_text(strip=True) \
                and not holder.find(True):
            holder.decompose()
    return taken


def _unique(base: str, used: set[str]) -> str:
    new, n = base, 1
    while new in used:
        n += 1
        new = f"{base}-{n}"
    used.add(new)
    return new


def unique_heading_ids(soup: BeautifulSoup) -> None:
    """Headings with unique ids (see the module docstring); links to the old ids follow."""
    taken = _move_placeholders(soup)
    used = {str(el["id"]) for el in soup.find_all(id=True) if el.name not in HEADINGS}
    section = ""
    renamed: dict[str, dict[str, str]] = {}  # section -> old id -> new id (first heading with it)
    everywhere: dict[str, str] = {}  # old id -> new id (first heading with it in the document)
    for el in soup.find_all(True):
        if _is_section_head(el):
            section = str(el.get("id") or "")
            continue
        if el.name not in HEADINGS:
            continue
        old = str(el.get("id") or "")
        if id(el) in taken:
            new = _unique(taken[id(el)], used)
        elif old:
            new = _unique(f"{section}--{old}" if section else old, used)
        else:
            continue
        el["id"] = new
        for link in el.find_all("a", class_=ANCHOR_LINK):
            link["href"] = f"#{new}"
        if old:
            renamed.setdefault(section, {}).setdefault(old, new)
            everywhere.setdefault(old, new)
    ids = {str(el["id"]) for el in soup.find_all(id=True)}
    section = ""
    for el in soup.find_all(True):
        if _is_section_head(el):
            section = str(el.get("id") or "")
        elif el.name == "a" and str(el.get("href") or "").startswith("#"):
            target = str(el["href"])[1:]
            if target and target not in ids:
                moved = renamed.get(section, {}).get(target) or everywhere.get(target)
                if moved:
                    el["href"] = f"#{moved}"


def broken_links(soup: BeautifulSoup, links: Iterable[Tag] | None = None) -> list[str]:
    """In-document links (default: every ``a[href^="#"]``) whose target is absent, not unique, or an
    element the stylesheet hides; '' when all land."""
    problems = []
    for link in soup.select('a[href^="#"]') if links is None else links:
        target = str(link.get("href") or "")[1:]
        found = soup.find_all(id=target) if target else []
        if len(found) != 1:
            problems.append(f"#{target}: {len(found)} elements with that id")
        elif HIDDEN_TARGETS & set(_classes(found[0])):
            problems.append(f"#{target}: a hidden element ({found[0].name}.{'.'.join(_classes(found[0]))})")
    return problems


def _image_kind(img: Tag) -> str:
    parent = img.parent
    output = isinstance(parent, Tag) and {"jp-RenderedImage", "jp-RenderedSVG"} & set(_classes(parent))
    return "Chart" if output else "Figure"


def add_alt_text(soup: BeautifulSoup) -> None:
    """Every ``<img>`` gets a non-empty ``alt`` describing it (see the module docstring)."""
    count: dict[tuple[int, str], int] = {}
    for img in soup.find_all("img"):
        alt = " ".join(str(img.get("alt") or "").split())
        if alt and alt != NBCONVERT_ALT:
            continue
        heading = img.find_previous(HEADINGS)
        title = heading_text(heading) if heading is not None else ""
        kind = _image_kind(img)
        key = (id(heading), kind)
        count[key] = count.get(key, 0) + 1
        label = kind if count[key] == 1 else f"{kind} {count[key]}"
        img["alt"] = f"{label}: {title}" if title else label


TABLE_SCROLL = "table-scroll"
#: a run of this many characters without a space in a table cell is a "long token" (an ARN, an id, a price
#: key): it may break after its separators. Shorter words never break; no word is split between letters.
LONG_TOKEN = 24
_TOKEN = re.compile(rf"\S{{{LONG_TOKEN},}}")
# after a separator between two letters or digits ("service/api", "hour:db", not "</script>"); a hyphen only
# before an id's hex digits ("vpc-0a1b2c...", not "us-east-1": browsers break after other hyphens themselves)
_SEPARATOR = re.compile(r"(?:(?<=[A-Za-z0-9][/:_.,;=@|])(?=[A-Za-z0-9])|(?<=[A-Za-z0-9]-)(?=[0-9a-f]{6}))(?=.{2})")


def break_long_tokens(soup: BeautifulSoup) -> None:
    """In table cells, a ``<wbr>`` after each separator (``/ : _ . , ; = @ |``, a hyphen before an id's digits)
    of a long token, so ``arn:aws:ecs:...:service/cluster/api`` wraps at its parts instead of widening its
    column past the page. Cells of numbers (``.num``) are left alone."""
    for cell in soup.find_all(("td", "th")):
        if "num" in _classes(cell):
            continue
        for text in list(cell.find_all(string=_TOKEN)):
            if type(text) is not NavigableString:
                continue  # comments, CDATA, style text
            value = str(text)
            pieces: list[str | None] = []
            pos = 0
            for m in _TOKEN.finditer(value):
                pieces.append(value[pos:m.start()])
                parts = _SEPARATOR.split(m.group(0))
                pieces.extend(_interleave(parts))
                pos = m.end()
            pieces.append(value[pos:])
            if not any(p is None for p in pieces):
                continue
            nodes = [soup.new_tag("wbr") if p is None else NavigableString(p) for p in pieces if p != ""]
            text.replace_with(*nodes)


def _interleave(parts: list[str]) -> list[str | None]:
    """``["a", "b", "c"]`` -> ``["a", None, "b", None, "c"]`` (None: a break opportunity)."""
    out: list[str | None] = []
    for i, part in enumerate(parts):
        if i:
            out.append(None)
        out.append(part)
    return out


def wrap_tables(soup: BeautifulSoup) -> None:
    """Each outermost ``<table>`` inside a ``div.table-scroll``: on screen a table that cannot fit the text
    column scrolls sideways in its own box instead of running under the page's edge (print: visible)."""
    for table in soup.find_all("table"):
        parent = table.parent
        if table.find_parent("table") is not None or (
                isinstance(parent, Tag) and parent.name == "div" and TABLE_SCROLL in _classes(parent)):
            continue
        table.wrap(soup.new_tag("div", attrs={"class": TABLE_SCROLL}))


def _finish(soup: BeautifulSoup) -> str:
    add_alt_text(soup)
    break_long_tokens(soup)
    wrap_tables(soup)
    nav = soup.select('nav a[href^="#"]')
    if problems := broken_links(soup, nav):
        log.warning("report: %d contents link(s) do not land on a visible heading: %s", len(problems),
                    "; ".join(problems[:5]))
    return str(soup)


def finish_report(html: str) -> str:
    """``html`` (a whole report page from nbconvert) with unique heading ids, contents landing on visible
    headings, alt text on every image, long tokens breakable in table cells and every table in a scroll box."""
    soup = BeautifulSoup(html, "html.parser")
    unique_heading_ids(soup)
    return _finish(soup)


def finish_page(html: str) -> str:
    """:func:`finish_report` for a page whose ids are already unique (the portfolio): alt text, breakable long
    tokens, tables in scroll boxes."""
    return _finish(BeautifulSoup(html, "html.parser"))
