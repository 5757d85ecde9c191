"""Sortable, filterable, searchable tables in JupyterLab (``awsassess lab``), offline: no CDN, no network.

:func:`awsassess.views.show_table` sends every table here when :func:`awsassess.lab.mode.interactive` is
True (and only then: batches, report builds and tests keep the static Styler). A table becomes an
:class:`InteractiveTable`: the same Styler (numbers formatted, every AWS name escaped by
:mod:`awsassess.escaping`, text left-aligned, severity colours) rendered by itables' DataTables.

Why itables' HTML output and not its ``ITable`` widget: ``itables.widget`` is an anywidget, and anywidget is
neither installed nor locked here (``import itables.widget`` fails). The HTML output is used in OFFLINE mode
(``connected=False``): the DataTables bundle that ships inside the itables wheel is embedded, base64, in the
output of the first table a notebook page shows (what ``init_notebook_mode(connected=False)`` would display,
without its global side effects on pandas' reprs), and every table then waits for it; nothing is fetched from
unpkg. JavaScript in an output runs when the output was produced in this session (JupyterLab trusts what the
user's own kernel returns) or when the notebook is trusted; in an untrusted notebook reloaded from disk the
scripts do not run and itables' static preview, the full table, shows instead. The swap from that preview to
the interactive table happens only once the bundle is there, so a table never stays stuck on "Loading".
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import pandas as pd

from awsassess import escaping

#: rows per page; tables of this many rows or fewer show no paging controls
PAGE = 25
#: tables of this many rows or fewer show no search box either (one click on a header still sorts them)
SMALL = 5
CLASSES = "display compact"  # not itables' default "nowrap": long names and resource lists wrap
STYLE = "table-layout:auto;width:auto;margin:0;caption-side:bottom"
#: DataTables sorts formatted numbers ("1,234.5", "–" for missing, "unpriced") by their value
NUMERIC_SORT = ("function (data, type, row, meta) { if (type === 'sort' || type === 'type') { "
                "var v = parseFloat(String(data).replace(/<[^>]*>/g, '').replace(/[^0-9.eE+-]/g, '')); "
                "return isNaN(v) ? -Infinity : v; } return data; }")

_SENT: set[str] = set()  # the notebook pages (frontend sessions) that already received the bundle


def _global() -> str:
    """The window property the offline bundle defines (``window._itables_2_9_1``, a promise)."""
    from itables import __version__

    return "_itables_" + __version__.replace(".", "_").replace("-", "_")


def _ready_event() -> str:
    from itables import __version__

    return f"itables-{__version__}-ready"


def bundle_html() -> str:
    """The DataTables bundle (JavaScript and CSS, base64) as one HTML output: loads it into the page once
    (guarded by ``window._itables_<version>``) and sets itables' dark-theme class. No network."""
    from itables import javascript, options
    from itables.utils import UNPKG_DT_BUNDLE_URL_NO_VERSION, read_package_file

    offline = javascript.generate_init_offline_itables_html(options.dt_bundle)
    dark = read_package_file("html/init_datatables.html")
    connected_import = f"import {{ set_or_remove_dark_class }} from '{UNPKG_DT_BUNDLE_URL_NO_VERSION}';"
    if connected_import not in dark:  # another itables layout: leave the theme alone rather than fetch
        return offline
    dark = dark.replace(connected_import, f"const {{ set_or_remove_dark_class }} = await window.{_global()};")
    return offline + dark


def _frontend() -> str:
    """The frontend session of the running cell (a notebook page; a reload is a new one), "" outside a kernel."""
    try:
        from IPython import get_ipython
    except ImportError:
        return ""
    kernel = getattr(get_ipython(), "kernel", None)
    get_parent = getattr(kernel, "get_parent", None)
    if get_parent is None:
        return ""
    parent = get_parent("shell") or {}
    return str((parent.get("header") or {}).get("session") or "")


def claim_bundle() -> bool:
    """True the first time this notebook page asks (the table that carries the bundle), False after."""
    page = _frontend()
    if page in _SENT:
        return False
    _SENT.add(page)
    return True


class Bundle:
    """The bundle as a displayable output (``awsassess.lab.tables.Bundle()`` in a cell), should a page have
    lost the output that carried it (tables then show their static preview)."""

    def _repr_html_(self) -> str:
        _SENT.add(_frontend())
        return bundle_html()


def _layout(rows: int) -> dict[str, Any]:
    search = rows > SMALL
    paged = rows > PAGE
    return {"topStart": "pageLength" if paged else None,
            "topEnd": {"search": {"placeholder": "Filter rows"}} if search else None,
            "bottomStart": "info" if search else None,
            "bottomEnd": "paging" if paged else None}


def _numeric_positions(df: pd.DataFrame) -> list[int]:
    return [i for i, c in enumerate(df.columns)
            if pd.api.types.is_numeric_dtype(df[c]) and not pd.api.types.is_bool_dtype(df[c])]


_SWAP = re.compile(r'<script>document\.getElementById\("(?P<id>[^"]+)"\)\?\.removeAttribute\("hidden"\);'
                   r'document\.getElementById\("(?P=id)_fallback"\)\?\.setAttribute\("hidden", "hidden"\);</script>')
_STYLE = re.compile(r"<style[^>]*>(.*?)</style>", re.DOTALL)


def interactive_html(styler: Any, df: pd.DataFrame) -> str:
    """``styler`` (of ``df``) as an offline itables DataTable: sortable columns (numbers by value), a search
    box and paging on longer tables, the Styler's formats, escaping, alignment and colours kept. The HTML
    does not carry the bundle (see :class:`InteractiveTable`)."""
    from itables import to_html_datatable
    from itables.typing import JavascriptFunction

    table_id = "T_" + uuid.uuid4().hex[:12]
    rows = len(df)
    options: dict[str, Any] = {"connected": False, "allow_html": True, "showIndex": False, "classes": CLASSES,
                               "style": STYLE, "layout": _layout(rows), "pageLength": PAGE,
                               "lengthMenu": [PAGE, 50, 100, -1], "order": []}
    numeric = _numeric_positions(df)
    if numeric:
        options["columnDefs"] = [{"targets": numeric, "render": JavascriptFunction(NUMERIC_SORT)}]
    html = to_html_datatable(styler, table_id=table_id, **options)
    # the static preview (shown until the bundle is there, and for good where scripts do not run) keeps the
    # Styler's CSS (alignment, severity colours) under its own ids: itables gives it the interactive table's,
    # and DataTables would then build a second, hidden table on it
    start = html.find(f'<div id="{table_id}_fallback">')
    end = html.find("</div>", start)
    if start >= 0 and end >= 0:
        preview_id = "P_" + table_id[2:]
        css = _STYLE.search(styler.to_html(table_uuid=table_id[2:]))
        style = f"<style>{css.group(1).replace(f'#{table_id}', f'#{preview_id}')}</style>" if css else ""
        head = f'<div id="{table_id}_fallback">'
        preview = html[start + len(head):end].replace(f'id="{table_id}', f'id="{preview_id}')
        html = html[:start] + head + style + preview + html[end:]

    def guarded(m: re.Match[str]) -> str:
        tid = m.group("id")
        return ("<script>(function () { var swap = function () { "
                f'document.getElementById("{tid}")?.removeAttribute("hidden"); '
                f'document.getElementById("{tid}_fallback")?.setAttribute("hidden", "hidden"); }}; '
                f'if (window.{_global()}) {{ swap(); }} else {{ window.addEventListener("{_ready_event()}", swap, '
                "{ once: true }); } })();</script>")

    return _SWAP.sub(guarded, html, count=1)


class InteractiveTable:
    """A table shown as an offline DataTable in JupyterLab. ``styler`` and ``frame`` are the static table and
    its data; :meth:`to_html` is the static table's HTML (what a report would embed)."""

    def __init__(self, styler: Any, frame: pd.DataFrame) -> None:
        self.styler = styler
        self.frame = frame

    def html(self) -> str:
        """The interactive table's HTML, without the bundle."""
        return interactive_html(self.styler, self.frame)

    def _repr_html_(self) -> str:
        # in a container MathJax skips: JupyterLab typesets HTML outputs ("$5 ... $6" in a cell is no maths), and
        # DataTables rebuilds the table without the Styler's own NO_MATH class
        return (bundle_html() if claim_bundle() else "") + f'<div class="{escaping.NO_MATH}">{self.html()}</div>'

    def to_html(self, **kwargs: Any) -> str:
        return str(self.styler.to_html(**kwargs))

    def __repr__(self) -> str:
        return f"InteractiveTable({len(self.frame)} rows: {', '.join(map(str, self.frame.columns))})"


def interactive_table(styler: Any, frame: pd.DataFrame) -> InteractiveTable:
    return InteractiveTable(styler, frame)
