"""Small HTML building blocks for report notebooks: escaped tables, money, severity chips, KPI cards.

Every value is escaped with :func:`html.escape` unless it is a :class:`Markup` built here from
escaped parts, so strings that came from AWS (names, tags, descriptions) can never become markup.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from awsassess import escaping

if TYPE_CHECKING:
    from matplotlib.typing import RcKeyType

SEVERITIES = ("high", "medium", "low", "info")


class Markup(str):
    """A string that is already safe HTML (built from escaped parts)."""


def esc(value: Any) -> str:
    """Text for the report's HTML: the project's one escaper (:func:`awsassess.escaping.text`)."""
    if isinstance(value, Markup):
        return value
    return escaping.text(value)


def is_number(value: Any) -> bool:
    if value is None or isinstance(value, bool):
        return False
    try:
        return not math.isnan(float(value))
    except (TypeError, ValueError):
        return False


MISSING = "\u2014"  # an em dash where a figure is not available


def money(value: Any, decimals: int = 0) -> str:
    """``1234.5`` -> ``$1,235``; negatives with a minus sign (never "−$0" for a value that rounds to zero);
    an em dash when missing."""
    if not is_number(value):
        return MISSING
    v = float(value)
    sign = "\u2212" if round(v, decimals) < 0 else ""
    return f"{sign}${abs(v):,.{decimals}f}"


def pct(value: Any, decimals: int = 0) -> str:
    if not is_number(value):
        return MISSING
    return f"{float(value):.{decimals}f}%"


def minutes(value: Any) -> str:
    if not is_number(value):
        return MISSING
    v = float(value)
    if v >= 120:
        return f"{v / 60:.1f} h"
    return f"{v:.0f} min"


def severity_chip(value: Any) -> Markup:
    sev = str(value or "").lower()
    cls = sev if sev in SEVERITIES else "info"
    return Markup(f'<span class="sev sev-{cls}">{esc(sev or MISSING)}</span>')


@dataclass(frozen=True)
class Col:
    """A table column: ``key`` in the row, header ``label``, formatter and alignment."""

    key: str
    label: str
    fmt: Callable[[Any], Any] | None = None
    num: bool = False


def html_table(rows: pd.DataFrame | Iterable[dict[str, Any]], cols: Sequence[Col], *, classes: str = "",
               total: dict[str, Any] | None = None, empty: str = "None.") -> str:
    """An escaped HTML table of ``rows`` (a DataFrame or dicts) with ``cols``; ``total`` adds a bold last row."""
    records = rows.to_dict("records") if isinstance(rows, pd.DataFrame) else list(rows)
    if not records:
        return f'<p class="note">{esc(empty)}</p>'
    head = "".join(f'<th class="num">{esc(c.label)}</th>' if c.num else f"<th>{esc(c.label)}</th>" for c in cols)

    def row_html(rec: dict[str, Any], cls: str = "") -> str:
        cells = []
        for c in cols:
            value = rec.get(c.key)
            shown = c.fmt(value) if c.fmt and (c.key in rec or not cls) else value
            cells.append(f'<td class="num">{esc(shown)}</td>' if c.num else f"<td>{esc(shown)}</td>")
        return f'<tr class="{cls}">' + "".join(cells) + "</tr>" if cls else "<tr>" + "".join(cells) + "</tr>"

    body = "".join(row_html(r) for r in records)
    if total:
        body += row_html(total, "total")
    cls = f' class="{esc(classes)}"' if classes else ""
    return f"<table{cls}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def truncate(value: Any, limit: int = 120) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def short_id(value: Any) -> str:
    """A resource id for a table: ARNs shortened to their resource path without the type.

    ``arn:aws:ecs:us-east-1:111111111111:service/fintech-staging/api`` -> ``fintech-staging/api``.
    """
    text = str(value)
    if text.startswith("arn:"):
        parts = text.split(":", 5)
        if len(parts) == 6:
            resource = parts[5]
            if "/" in resource:
                resource = resource.split("/", 1)[1]
            elif ":" in resource:
                resource = resource.split(":", 1)[1]
            return resource or text
    return text


def join_ids(value: Any, limit: int = 2) -> str:
    """A list of resource ids as 'a, b +4 more' (ARNs shortened)."""
    if value is None:
        return ""
    if isinstance(value, str):
        items = [value]
    else:
        try:
            items = [str(v) for v in value]
        except TypeError:
            items = [str(value)]
    shown = ", ".join(truncate(short_id(i), 48) for i in items[:limit])
    return shown + (f" +{len(items) - limit} more" if len(items) > limit else "")


CHART_FONTS = ("Inter", "Segoe UI", "Helvetica Neue", "Arial", "Liberation Sans", "DejaVu Sans")
CHART_STYLE: dict[RcKeyType, Any] = {"font.size": 8.5, "axes.edgecolor": "#d5dbe3", "axes.labelcolor": "#5b6775",
                                     "xtick.color": "#5b6775", "ytick.color": "#1d2733"}


def chart_style() -> dict[RcKeyType, Any]:
    """Matplotlib rc for report charts, with the first installed font of the report's font stack
    (naming absent fonts makes matplotlib log a warning per text element)."""
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    family = next((f for f in CHART_FONTS if f in installed), "DejaVu Sans")
    return {**CHART_STYLE, "font.family": family}


def kpi(label: str, value: str, sub: str = "", tone: str = "") -> Markup:
    tone_cls = f" {tone}" if tone in {"good", "bad"} else ""
    sub_html = f'<div class="sub">{esc(sub)}</div>' if sub else ""
    return Markup(f'<div class="kpi{tone_cls}"><div class="label">{esc(label)}</div>'
                  f'<div class="value">{esc(value)}</div>{sub_html}</div>')


def kpi_row(cards: Iterable[Markup]) -> Markup:
    return Markup('<div class="kpis">' + "".join(cards) + "</div>")


def cost_bars_png(labels: Sequence[str], today: Sequence[float], proposed: Sequence[float], dpi: int = 200) -> bytes:
    """Horizontal bars, today vs proposed USD/month per label (first label on top), as PNG bytes."""
    import io

    import matplotlib
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter

    n = len(labels)
    with matplotlib.rc_context(chart_style()):
        fig = Figure(figsize=(7.2, 0.36 * n + 0.9), dpi=dpi)
        ax = fig.add_subplot()
        h = 0.38
        y = list(range(n))[::-1]
        ax.barh([i + h / 2 for i in y], [float(v or 0) for v in today], height=h, color="#12355b", label="Today")
        ax.barh([i - h / 2 for i in y], [float(v or 0) for v in proposed], height=h, color="#5fb3c7",
                label="Proposed")
        ax.set_yticks(y, list(labels))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"${v:,.0f}"))
        ax.tick_params(axis="y", length=0)
        ax.tick_params(axis="x", labelsize=8)
        for side in ("top", "right", "left"):
            ax.spines[side].set_visible(False)
        ax.grid(axis="x", color="#e6eaef", linewidth=0.8)
        ax.set_axisbelow(True)
        ax.set_xlabel("USD per month", fontsize=8)
        ax.legend(frameon=False, fontsize=8, loc="lower left", bbox_to_anchor=(0, 1.0), ncol=2,
                  borderaxespad=0.2, handlelength=1.2)
        fig.tight_layout()
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()
