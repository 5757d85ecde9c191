"""Small display helpers the domain notebooks call: inventory tables and static charts.

Every table helper returns a pandas ``Styler`` (index hidden, numbers formatted) or a Markdown note
when there is nothing to show; every chart helper returns a :class:`Chart`, which displays as a
static PNG (it survives HTML and PDF export) and keeps its matplotlib figure in ``.figure``.
Charts are built with ``matplotlib.figure.Figure`` directly (no pyplot state), so a notebook never
shows a chart twice and no backend has to be chosen.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from awsassess import escaping
from awsassess.values import text

SEVERITY_COLORS = {"high": "#c0392b", "medium": "#e67e22", "low": "#2980b9", "info": "#7f8c8d"}
PALETTE = ["#1f4e79", "#2e86c1", "#85c1e9", "#f5b041", "#e74c3c", "#27ae60", "#8e44ad", "#95a5a6"]


class Chart:
    """A matplotlib figure that renders as a PNG in notebooks (``_repr_png_``)."""

    def __init__(self, figure: Figure, title: str = "") -> None:
        self.figure = figure
        self.title = title

    def png(self, dpi: int = 110) -> bytes:
        buf = io.BytesIO()
        self.figure.savefig(buf, format="png", dpi=dpi, bbox_inches="tight", facecolor="white")
        return buf.getvalue()

    def _repr_png_(self) -> bytes:
        return self.png()

    def save(self, path: Any, dpi: int = 110) -> None:
        self.figure.savefig(path, dpi=dpi, bbox_inches="tight", facecolor="white")


class Note:
    """A one-line Markdown note (shown instead of an empty table or chart)."""

    def __init__(self, text: str) -> None:
        self.text = text

    def _repr_markdown_(self) -> str:
        return f"*{escaping.plain(self.text)}*"

    def __repr__(self) -> str:
        return self.text

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Note) and other.text == self.text


def absent(snapshot: Any, domain: str, message: str) -> str:
    """What an empty table says: ``message`` ("No pipelines in this snapshot."), or, when the domain's data
    was not fully read, that it could not be read (the section's coverage note says which call failed):
    an empty table must never read as "there are none" when the truth is "we could not see"."""
    from awsassess.coverage import DOMAIN_TITLES, unread_domains

    if domain in unread_domains(snapshot):
        return (f"{DOMAIN_TITLES.get(domain, domain)} could not be read completely (see the note at the top of "
                "this section): what is missing here is unknown, not absent.")
    return message


def figure(width: float = 9.0, height: float = 4.0) -> Figure:
    fig = Figure(figsize=(width, height))
    return fig


def short_id(resource_id: Any) -> str:
    """The readable tail of an ARN or path (``service/cluster/name`` -> ``name``); "" when missing
    (a NaN resource id would otherwise show as "nan")."""
    s = text(resource_id)
    if s.startswith("arn:"):
        s = s.split(":", 5)[-1]
        s = s.rsplit("/", 1)[-1] if "/" in s else s.split(":")[-1]
    return s


def table(df: pd.DataFrame, empty: str = "Nothing to show.", precision: int = 1) -> Any:
    """A DataFrame as a Styler with the index hidden, or a :class:`Note` when it is empty."""
    if df is None or not len(df):
        return Note(empty)
    fmt = {c: f"{{:,.{precision}f}}" for c in df.columns if pd.api.types.is_float_dtype(df[c])}
    return safe_styler(df.style.hide(axis="index").format(fmt, na_rep="–"), df)


def text_columns(df: pd.DataFrame) -> list[Any]:
    return [c for c in df.columns if not pd.api.types.is_numeric_dtype(df[c]) or pd.api.types.is_bool_dtype(df[c])]


def safe_styler(styler: Any, df: pd.DataFrame, *, keep: Iterable[Any] = ()) -> Any:
    """Every text cell and header escaped by the project's one escaper (AWS names are data, never markup),
    text columns and headers left-aligned (pandas right-aligns everything by default). ``keep``: text
    columns that already have their own (escaping) formatter."""
    cols = [c for c in text_columns(df) if c not in set(keep)]
    if cols:
        styler = styler.format(escaping.styler_text, subset=cols, na_rep="–")
    styler = styler.format_index(escaping.styler_text, axis=1)
    styler = styler.set_table_styles([{"selector": "th", "props": [("text-align", "left")]}], overwrite=False)
    tcols = text_columns(df)
    return styler.set_properties(subset=tcols, **{"text-align": "left"}) if tcols else styler


_left = safe_styler  # the name the views used before escaping was part of it


def findings_frame(findings: Iterable[Any], domain: str | None = None) -> pd.DataFrame:
    """Findings (Finding objects or dicts) as a display DataFrame, optionally for one domain."""
    rows = []
    for f in findings:
        d = f.to_dict() if hasattr(f, "to_dict") else dict(f) if isinstance(f, Mapping) else vars(f)
        if domain and d.get("domain") != domain:
            continue
        ids = [short_id(r) for r in d.get("resource_ids", [])]
        rows.append({"Severity": d["severity"], "Rule": d["rule_id"], "Finding": d["title"],
                     "Resources": ", ".join(ids[:4]) + (f" (+{len(ids) - 4})" if len(ids) > 4 else ""),
                     "Recommendation": d["recommendation"], "Effort": d["effort"],
                     "Saving USD/month": d.get("monthly_savings_usd")})
    return pd.DataFrame(rows, columns=["Severity", "Rule", "Finding", "Resources", "Recommendation", "Effort",
                                       "Saving USD/month"])


def findings_table(findings: Iterable[Any], domain: str | None = None) -> Any:
    """The findings table of a notebook section, severity-coloured; a note when there are none."""
    df = findings_frame(findings, domain)
    if not len(df):
        return Note("No findings in this area.")
    df["Saving USD/month"] = pd.to_numeric(df["Saving USD/month"], errors="coerce")

    def colour(v: Any) -> str:
        c = SEVERITY_COLORS.get(str(v))
        return f"color: white; background-color: {c}; font-weight: bold" if c else ""

    styler = (df.style.hide(axis="index")
              .format({"Saving USD/month": lambda v: "–" if pd.isna(v) else f"{v:,.0f}"})
              .map(colour, subset=["Severity"]))
    return safe_styler(styler, df)


def hbar(ax: Any, labels: list[str], values: list[float], *, color: str = PALETTE[1], unit: str = "",
         fmt: str = "{:.0f}") -> None:
    """Horizontal bars with value labels, largest at the top."""
    y = list(range(len(labels)))[::-1]
    ax.barh(y, values, color=color)
    ax.set_yticks(y, labels)
    for yi, v in zip(y, values, strict=True):
        ax.text(v, yi, " " + fmt.format(v) + unit, va="center", fontsize=8)
    ax.spines[["top", "right"]].set_visible(False)
