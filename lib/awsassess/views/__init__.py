"""Small display helpers the domain notebooks call: inventory tables and static charts.

Every table helper returns a pandas ``Styler`` (index hidden, numbers formatted) or a Markdown note
when there is nothing to show; in a kernel of ``awsassess lab`` the Styler comes as a sortable, searchable
table instead (:func:`show_table`, the one place that decides). Every chart helper returns a :class:`Chart`,
which displays as a static PNG (it survives HTML and PDF export) and keeps its matplotlib figure in ``.figure``.
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
        # kept from MathJax, which would typeset "$5 ... $6" as maths in JupyterLab (escaping.markdown_block)
        return escaping.markdown_block(f"*{escaping.plain(self.text)}*") if self.text.strip() else ""

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
    return show_table(safe_styler(df.style.hide(axis="index").format(fmt, na_rep="–"), df), df)


def show_table(styler: Any, df: pd.DataFrame) -> Any:
    """The one place that decides how a table shows: the static Styler itself (batches, report builds, PDF,
    tests), or, in a kernel of ``awsassess lab`` (:func:`awsassess.lab.mode.interactive`), the same Styler as a
    sortable, filterable, searchable table that needs no network (:mod:`awsassess.lab.tables`). Every table
    helper ends here; ``df`` is the data ``styler`` shows."""
    from awsassess.lab.mode import interactive

    if not interactive():
        return styler
    from awsassess.lab.tables import interactive_table

    return interactive_table(styler, df)


def text_columns(df: pd.DataFrame) -> list[Any]:
    return [c for c in df.columns if not pd.api.types.is_numeric_dtype(df[c]) or pd.api.types.is_bool_dtype(df[c])]


def safe_styler(styler: Any, df: pd.DataFrame, *, keep: Iterable[Any] = ()) -> Any:
    """Every text cell and header escaped by the project's one escaper (AWS names are data, never markup),
    text columns and their headers left-aligned, numbers and theirs right-aligned (JupyterLab right-aligns
    every cell), and the table kept from MathJax (``$1,200`` in a cell is no maths: :data:`escaping.NO_MATH`).
    ``keep``: text columns that already have their own (escaping) formatter."""
    cols = [c for c in text_columns(df) if c not in set(keep)]
    if cols:
        styler = styler.format(escaping.styler_text, subset=cols, na_rep="–")
    styler = styler.format_index(escaping.styler_text, axis=1)
    styler = styler.set_table_styles([{"selector": "th", "props": [("text-align", "left")]}], overwrite=False)
    styler = styler.set_table_attributes(f'class="{escaping.NO_MATH}"')
    tcols = text_columns(df)
    ncols = [c for c in df.columns if c not in set(tcols)]
    if ncols:
        styler = styler.set_table_styles({c: [{"selector": "th", "props": [("text-align", "right")]}] for c in ncols},
                                         overwrite=False)
        styler = styler.set_properties(subset=ncols, **{"text-align": "right"})
    return styler.set_properties(subset=tcols, **{"text-align": "left"}) if tcols else styler


_left = safe_styler  # the name the views used before escaping was part of it


def resource_list(resource_ids: Iterable[Any]) -> str:
    """Every resource of a finding, compactly: short ids (:func:`short_id`), comma-separated (a cell wraps
    between them), in the finding's order, with the count ahead of a list longer than four. No resource is
    left out; where two resources share a short id, both are shown by their full id."""
    full = [text(r) for r in resource_ids]
    short = [short_id(r) or r for r in full]
    seen: dict[str, int] = {}
    for s in short:
        seen[s] = seen.get(s, 0) + 1
    shown = [s if seen[s] == 1 else f for s, f in zip(short, full, strict=True)]
    return (f"{len(shown)} resources: " if len(shown) > 4 else "") + ", ".join(shown)


def findings_frame(findings: Iterable[Any], domain: str | None = None) -> pd.DataFrame:
    """Findings (Finding objects or dicts) as a display DataFrame, optionally for one domain. "Resources"
    lists every resource (:func:`resource_list`): the drill-down in JupyterLab shows their full ids."""
    rows = []
    for f in findings:
        d = f.to_dict() if hasattr(f, "to_dict") else dict(f) if isinstance(f, Mapping) else vars(f)
        if domain and d.get("domain") != domain:
            continue
        rows.append({"Severity": d["severity"], "Rule": d["rule_id"], "Finding": d["title"],
                     "Resources": resource_list(d.get("resource_ids") or []),
                     "Recommendation": d["recommendation"], "Effort": d["effort"],
                     "Saving USD/month": d.get("monthly_savings_usd")})
    return pd.DataFrame(rows, columns=["Severity", "Rule", "Finding", "Resources", "Recommendation", "Effort",
                                       "Saving USD/month"])


def findings_table(findings: Iterable[Any], domain: str | None = None) -> Any:
    """The findings table of a notebook section, severity-coloured; a note when there are none (interactive in
    JupyterLab, see :func:`show_table`)."""
    styler = findings_styler(findings, domain)
    return styler if isinstance(styler, Note) else show_table(styler, styler.data)


def findings_styler(findings: Iterable[Any], domain: str | None = None) -> Any:
    """The static findings table (a Styler; its ``.data`` is :func:`findings_frame`), or a note when there are
    none: what :func:`findings_table` shows in a report."""
    df = findings_frame(findings, domain)
    if not len(df):
        return Note("No findings in this area.")
    df["Saving USD/month"] = pd.to_numeric(df["Saving USD/month"], errors="coerce")

    def colour(v: Any) -> str:
        c = SEVERITY_COLORS.get(str(v))
        return f"color: white; background-color: {c}; font-weight: bold" if c else ""

    styler = (df.style.hide(axis="index")
              .format({"Saving USD/month": lambda v: "–" if pd.isna(v) else escaping.saving_text(v)})
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
