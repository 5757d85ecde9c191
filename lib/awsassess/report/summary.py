"""Executive-summary and appendix content: one account's :class:`Results` and its snapshot.

The ``00_summary`` and ``90_appendix`` notebooks are one call per cell into this module. Data
functions return DataFrames/dicts (testable); ``*_html`` functions return escaped HTML
(:class:`awsassess.report.render.Markup`) for ``IPython.display.HTML``, each a block of
:func:`awsassess.escaping.html_block`: kept from JupyterLab's MathJax (its dollar amounts are no maths) and
carrying :data:`SUMMARY_CSS`, the report's look of the KPI cards, chips and totals, for JupyterLab (the
report's sanitiser drops that style; the report's own CSS draws the same).

Where the figures come from (``source`` of every function below, see :func:`results_of`):

- a notebook passes its context (:class:`awsassess.notebook.Context`): the findings and the cost model
  computed from the snapshot and the parameters' assumptions, the very objects the domain notebooks show.
  Changing an assumption in the parameters cell changes the summary with them: one report, one set of
  numbers. In a batch the context has the snapshot, assumptions, code and price cache analyze had, so the
  figures are those of the files on disk (``tests/batch/test_notebook_context.py`` checks both).
- the portfolio (and a script) passes an account folder: what analyze wrote there, ``findings.json``,
  ``costs.csv`` and ``model.json`` (through :class:`awsassess.layout.AccountFolder`'s readers). A missing
  file gives an empty table and a note, never an exception: the summary says what it could not see.

Either way the same :class:`Results` (findings frame, cost lines, model summary and unpriced items) feeds
the same code, so the two cannot drift apart in how they count.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from awsassess import escaping
from awsassess.layout import AccountFolder
from awsassess.report.render import (
    SEVERITIES,
    Col,
    Markup,
    cost_bars_png,
    esc,
    html_table,
    is_number,
    join_ids,
    kpi,
    kpi_row,
    minutes,
    money,
    pct,
    severity_chip,
    short_id,
    truncate,
)

if TYPE_CHECKING:
    from awsassess.model import CostModel

FINDING_COLUMNS = ["rule_id", "domain", "severity", "title", "account_id", "region", "resource_ids", "evidence",
                   "recommendation", "monthly_savings_usd", "effort"]
COST_COLUMNS = ["scenario", "domain", "item", "resource_id", "region", "quantity", "unit", "unit_price_usd",
                "monthly_usd", "price_source"]
SUMMARY_KEYS = ("current_monthly_usd", "proposed_monthly_usd", "saving_usd", "saving_pct", "pipeline_now_min",
                "pipeline_predicted_min", "bill_monthly_usd", "bill_explained_pct")
DOMAIN_LABELS = {"network": "Networking", "compute": "Compute", "pipelines": "Pipelines", "datastores": "Data stores",
                 "cdn": "CDN", "stacks": "Stacks", "security": "Security"}
SEVERITY_RANK = {s: i for i, s in enumerate(SEVERITIES)}


# ---------------------------------------------------------------------------------------- results
def findings_table(records: list[dict[str, Any]]) -> pd.DataFrame:
    """Findings records (``Finding.to_dict()``, as in findings.json) as a DataFrame with the INTERFACE columns."""
    df = pd.DataFrame(records)
    for c in FINDING_COLUMNS:
        if c not in df.columns:
            df[c] = pd.Series([None] * len(df), dtype="object")
    df["severity"] = df["severity"].fillna("info").astype(str).str.lower()
    df["monthly_savings_usd"] = pd.to_numeric(df["monthly_savings_usd"], errors="coerce")
    return df


def costs_table(lines: pd.DataFrame) -> pd.DataFrame:
    """Cost lines (the model's, or costs.csv) with the INTERFACE columns, numbers as numbers, and text cells as
    costs.csv gives them back (an empty cell is NaN), so live and on-disk lines compare equal."""
    df = lines.copy()
    for c in COST_COLUMNS:
        if c not in df.columns:
            df[c] = pd.Series([None] * len(df), dtype="object")
    for c in ("quantity", "unit_price_usd", "monthly_usd"):
        df[c] = pd.to_numeric(df[c], errors="coerce")
    for c in df.columns:
        if c not in ("quantity", "unit_price_usd", "monthly_usd"):
            text = df[c].astype(object)
            df[c] = text.where(text.notna() & (text.astype(str) != ""), None)
    df["scenario"] = df["scenario"].astype(str).str.lower()
    return df.reset_index(drop=True)


@dataclass(frozen=True)
class Results:
    """What the summary shows of one account: findings, cost lines, the model's summary and unpriced items."""

    findings: pd.DataFrame
    costs: pd.DataFrame
    model: dict[str, Any]  # {"summary": {...}, "unpriced": [...]} (model.json keys)

    @classmethod
    def of_analysis(cls, findings: list[Any], model: CostModel) -> Results:
        """From a live analysis: :class:`awsassess.findings.Finding` objects and the
        :class:`awsassess.model.CostModel` (the notebooks' context)."""
        from awsassess.findings import Finding
        from awsassess.model.costing import EXTRA_COLUMNS

        ordered = sorted(findings, key=Finding.sort_key)  # as write_findings orders findings.json
        lines = model.lines[[c for c in (*COST_COLUMNS, *EXTRA_COLUMNS) if c in model.lines.columns]]
        return cls(findings=findings_table([f.to_dict() for f in ordered]), costs=costs_table(lines),
                   model=json.loads(json.dumps({"summary": model.summary, "unpriced": model.unpriced}, default=str)))

    @classmethod
    def read(cls, folder: AccountFolder | str | os.PathLike[str]) -> Results:
        """From the files analyze wrote into an account folder; absent files give empty parts (an unreadable
        one raises :class:`awsassess.layout.ArtefactError`)."""
        acct = AccountFolder.of(folder)
        return cls(findings=findings_table([f.to_dict() for f in acct.read_findings(missing_ok=True)]),
                   costs=costs_table(acct.read_costs(missing_ok=True)), model=acct.read_model(missing_ok=True))


Source = Any  # a Results, anything with ``.results`` (a notebook Context), or an account folder (path)


def results_of(source: Source) -> Results:
    """The :class:`Results` of ``source``: itself, a notebook context's (live), or an account folder's (read)."""
    if isinstance(source, Results):
        return source
    live = getattr(source, "results", None)
    if isinstance(live, Results):
        return live
    return Results.read(source)


def folder_of(source: Source) -> AccountFolder:
    """The account folder of ``source`` (a notebook context's, or the folder itself)."""
    return AccountFolder.of(getattr(source, "folder", None) or source)


def load_findings(source: Source) -> pd.DataFrame:
    """The findings as a DataFrame with the INTERFACE columns (empty when there are none)."""
    return results_of(source).findings


def load_costs(source: Source) -> pd.DataFrame:
    """The cost lines with the INTERFACE columns (empty when there are none)."""
    return results_of(source).costs


def load_model(source: Source) -> dict[str, Any]:
    """The model's ``summary`` and ``unpriced`` (model.json keys); {} when there is no model."""
    return results_of(source).model


def model_summary(model: dict[str, Any]) -> dict[str, Any]:
    """The summary keys of model.json, whether nested under ``summary`` or at the top level."""
    src = summary if isinstance(summary := model.get("summary"), dict) else model
    return {k: src.get(k) for k in SUMMARY_KEYS}


# --------------------------------------------------------------------------------------- headline
@dataclass
class Headline:
    current_monthly_usd: float | None
    proposed_monthly_usd: float | None
    saving_usd: float | None
    saving_pct: float | None
    pipeline_now_min: float | None
    pipeline_predicted_min: float | None
    findings_total: int = 0
    by_severity: dict[str, int] = field(default_factory=dict)
    findings_savings_usd: float = 0.0
    bill_monthly_usd: float | None = None  # Cost Explorer, last full month (when the model reconciled it)
    bill_explained_pct: float | None = None
    notes: list[str] = field(default_factory=list)
    estimated_lines: int = 0  # priced from us-east-1 x a regional factor (confidence "estimated")
    unpriced_lines: int = 0  # no price and no basis: left out of the totals, listed in the cost section

    @property
    def annual_saving_usd(self) -> float | None:
        return None if self.saving_usd is None else self.saving_usd * 12


def _num(v: Any) -> float | None:
    return float(v) if is_number(v) else None


def headline(source: Source) -> Headline:
    """Current vs proposed monthly cost, saving, pipeline time now -> predicted, findings counts.

    Costs come from ``costs.csv`` (the line-by-line evidence) when present, else from model.json;
    pipeline times from model.json. A disagreement between the two is noted, not hidden.
    """
    results = results_of(source)
    costs, findings, summ = results.costs, results.findings, model_summary(results.model)
    notes: list[str] = []
    current = proposed = None
    if len(costs):
        by = costs.groupby("scenario")["monthly_usd"].sum()
        current, proposed = _num(by.get("current")), _num(by.get("proposed"))
    m_cur, m_prop = _num(summ["current_monthly_usd"]), _num(summ["proposed_monthly_usd"])
    if current is None:
        current = m_cur
    elif m_cur is not None and abs(m_cur - current) > max(1.0, 0.005 * current):
        notes.append(f"model.json gives {money(m_cur)} current monthly cost; costs.csv lines sum to {money(current)} "
                     "(the report uses costs.csv).")
    if proposed is None:
        proposed = m_prop
    elif m_prop is not None and abs(m_prop - proposed) > max(1.0, 0.005 * proposed):
        notes.append(f"model.json gives {money(m_prop)} proposed monthly cost; costs.csv lines sum to "
                     f"{money(proposed)} (the report uses costs.csv).")
    if current is None and proposed is None:
        notes.append("No cost model output (costs.csv / model.json) was found for this account.")
    estimated = unpriced = 0
    if len(costs):
        conf = costs["confidence"].astype(str) if "confidence" in costs.columns else pd.Series([], dtype=str)
        estimated = int((conf == "estimated").sum())
        unpriced = int(costs["unit_price_usd"].isna().sum())
    saving = None if current is None or proposed is None else current - proposed
    saving_pct = None if saving is None or not current else saving / current * 100
    counts = findings["severity"].value_counts().to_dict() if len(findings) else {}
    return Headline(
        current_monthly_usd=current, proposed_monthly_usd=proposed, saving_usd=saving, saving_pct=saving_pct,
        pipeline_now_min=_num(summ["pipeline_now_min"]), pipeline_predicted_min=_num(summ["pipeline_predicted_min"]),
        findings_total=int(len(findings)), by_severity={s: int(counts.get(s, 0)) for s in SEVERITIES},
        findings_savings_usd=float(findings["monthly_savings_usd"].fillna(0).clip(lower=0).sum()) if len(findings) else 0.0,
        bill_monthly_usd=_num(summ["bill_monthly_usd"]), bill_explained_pct=_num(summ["bill_explained_pct"]),
        notes=notes, estimated_lines=estimated, unpriced_lines=unpriced,
    )


def pricing_disclosure(h: Headline) -> str:
    """'N lines estimated, M unpriced' beside the headline figures ('' when every line has a list price)."""
    if not h.estimated_lines and not h.unpriced_lines:
        return ""
    parts = []
    if h.estimated_lines:
        parts.append(f"{h.estimated_lines} cost line{'s' if h.estimated_lines != 1 else ''} estimated (the us-east-1 "
                     "list price times a regional factor, marked in the cost section)")
    if h.unpriced_lines:
        parts.append(f"{h.unpriced_lines} unpriced (no price and no basis for one: left out of these totals, "
                     "listed in the cost section)")
    return "Prices: " + " and ".join(parts) + "."


def top_findings(findings: pd.DataFrame, n: int = 8) -> pd.DataFrame:
    """The ``n`` findings with the largest monthly saving (severity breaks ties)."""
    if findings.empty:
        return findings
    df = findings.assign(_rank=findings["severity"].map(SEVERITY_RANK).fillna(9))
    df = df[df["monthly_savings_usd"].fillna(0) > 0]
    return df.sort_values(["monthly_savings_usd", "_rank"], ascending=[False, True]).head(n).drop(columns="_rank")


def key_risks(findings: pd.DataFrame, n: int = 6) -> pd.DataFrame:
    """High and medium findings about risk rather than money (no saving attached), one row per rule; the
    reliability and security lens first (``views.pillars``: the report's "Reliability and security"
    section), then the other pillars, each by severity.

    The same rule firing on several resources (a 60-minute wait on every pipeline) is one risk:
    its row keeps the first finding's title, names how many more there are and lists all resources.
    """
    from awsassess.views.pillars import RISK_PILLARS, pillar_of

    if findings.empty:
        return findings
    df = findings[findings["severity"].isin(["high", "medium"]) & ~(findings["monthly_savings_usd"].fillna(0) > 0)]
    if df.empty:
        return df
    lens = df["rule_id"].map(lambda r: 0 if pillar_of(str(r)) in RISK_PILLARS else 1)
    df = df.assign(_rank=df["severity"].map(SEVERITY_RANK) + 10 * lens, _rule=df["rule_id"].fillna(df["title"]))
    rows = []
    for _, group in df.sort_values(["_rank", "domain", "title"]).groupby("_rule", sort=False):
        first = group.iloc[0].to_dict()
        if len(group) > 1:
            first["title"] = f"{first['title']} (and {len(group) - 1} more like it)"
            ids: list[Any] = []
            for v in group["resource_ids"]:
                ids.extend(v if isinstance(v, list) else [v])
            first["resource_ids"] = ids
        first["count"] = len(group)
        rows.append(first)
    out = pd.DataFrame(rows).sort_values(["_rank", "count"], ascending=[True, False]).head(n)
    return out.drop(columns=["_rank", "_rule"]).reset_index(drop=True)


def cost_by_domain(costs: pd.DataFrame) -> pd.DataFrame:
    """Monthly cost per domain: current, proposed, saving; largest current first."""
    if costs.empty:
        return pd.DataFrame(columns=["domain", "current", "proposed", "saving"])
    pivot = costs.pivot_table(index="domain", columns="scenario", values="monthly_usd", aggfunc="sum", fill_value=0.0)
    for c in ("current", "proposed"):
        if c not in pivot.columns:
            pivot[c] = 0.0
    out = pivot[["current", "proposed"]].reset_index()
    out["saving"] = out["current"] - out["proposed"]
    return out.sort_values("current", ascending=False).reset_index(drop=True)


def findings_matrix(findings: pd.DataFrame) -> pd.DataFrame:
    """Findings per domain and severity, with the monthly saving they carry."""
    if findings.empty:
        return pd.DataFrame(columns=["domain", *SEVERITIES, "total", "saving"])
    counts = pd.crosstab(findings["domain"].fillna("other"), findings["severity"])
    for s in SEVERITIES:
        if s not in counts.columns:
            counts[s] = 0
    out = counts[list(SEVERITIES)].copy()
    out["total"] = out.sum(axis=1)
    out["saving"] = findings.groupby(findings["domain"].fillna("other"))["monthly_savings_usd"].sum(min_count=1)
    return out.reset_index().sort_values(["high", "total"], ascending=False).reset_index(drop=True)


# ----------------------------------------------------------------------------------- HTML blocks
_S = f"div.{escaping.OUTPUT_CLASS}"
#: The report's rules for the summary's blocks (templates/awsassess_report/report.css: KPI cards, severity
#: chips, the lead paragraph, notes, total rows), scoped to the output, for JupyterLab, which has no report
#: CSS. Keep them in step with report.css; the report itself drops this <style> and uses its own.
SUMMARY_CSS = "\n".join([
    f"{_S} .lead {{ font-size: 1.05rem; max-width: 50em; }}",
    f"{_S} .note {{ font-size: .84rem; color: #5b6775; }}",
    f"{_S} .kpis {{ display: grid; grid-template-columns: repeat(4, 1fr); gap: 12px; margin: 8px 0 20px; }}",
    f"{_S} .kpi {{ border: 1px solid #d5dbe3; border-top: 4px solid #12355b; border-radius: 4px; "
    "padding: 12px 14px; background: #fff; }",
    f"{_S} .kpi .label {{ color: #5b6775; font-size: .72rem; text-transform: uppercase; letter-spacing: .08em; "
    "font-weight: 600; }",
    f"{_S} .kpi .value {{ font-size: 1.55rem; font-weight: 700; color: #12355b; line-height: 1.2; margin-top: 4px; "
    "white-space: nowrap; }",
    f"{_S} .kpi .sub {{ color: #5b6775; font-size: .8rem; margin-top: 2px; }}",
    f"{_S} .kpi.good {{ border-top-color: #18794e; }}",
    f"{_S} .kpi.good .value {{ color: #18794e; }}",
    f"{_S} .kpi.bad {{ border-top-color: #b42318; }}",
    f"{_S} .sev {{ display: inline-block; padding: 1px 7px; border-radius: 10px; font-size: .72rem; font-weight: 700; "
    "text-transform: uppercase; letter-spacing: .04em; white-space: nowrap; }",
    f"{_S} .sev-high {{ background: #fdecea; color: #b42318; }}",
    f"{_S} .sev-medium {{ background: #fff4e5; color: #b54708; }}",
    f"{_S} .sev-low {{ background: #eaf4fb; color: #1f6f8b; }}",
    f"{_S} .sev-info {{ background: #eef1f4; color: #475467; }}",
    f"{_S} tr.total td {{ font-weight: 700; border-top: 2px solid #12355b; background: #f3f6f9; }}",
])


def _block(markup: str) -> Markup:
    """A summary block as a notebook output (:func:`awsassess.escaping.html_block` with :data:`SUMMARY_CSS`)."""
    return Markup(escaping.html_block(markup, SUMMARY_CSS))


def saving_money(value: Any) -> str:
    """A saving in dollars (:func:`money`); a negative one is a cost increase and says so (``costs $56 more``),
    never a minus sign under "Saving" (:func:`awsassess.escaping.saving_text`). The figure is unchanged."""
    return escaping.saving_text(value, currency="$") if is_number(value) else money(value)


def _domain(v: Any) -> str:
    return DOMAIN_LABELS.get(str(v), str(v or "").capitalize())


def headline_html(source: Source) -> Markup:
    """The opening paragraph and the KPI cards."""
    h = headline(source)
    # a proposal that costs more than today (an upsizing outweighing the savings) says so: never a negative saving
    more = is_number(h.saving_usd) and round(float(h.saving_usd or 0)) < 0
    if more:
        change = kpi("Extra cost", money(-(h.saving_usd or 0)),
                     f"{pct(-(h.saving_pct or 0))} more \u00b7 {money(-(h.annual_saving_usd or 0))} a year", tone="bad")
    else:
        change = kpi("Saving", saving_money(h.saving_usd),
                     f"{pct(h.saving_pct)} \u00b7 {saving_money(h.annual_saving_usd)} a year",
                     tone="good" if (h.saving_usd or 0) > 0 else "")
    cards = [
        kpi("Cost today", money(h.current_monthly_usd), "USD per month, current architecture"),
        kpi("Proposed cost", money(h.proposed_monthly_usd), "USD per month, after the changes"),
        change,
        kpi("Deploy time", f"{minutes(h.pipeline_now_min)} \u2192 {minutes(h.pipeline_predicted_min)}",
            "commit to production, now \u2192 predicted"),
    ]
    sev = ", ".join(f"{h.by_severity.get(s, 0)} {s}" for s in SEVERITIES if h.by_severity.get(s))
    parts = []
    if h.current_monthly_usd is not None and h.proposed_monthly_usd is not None:
        parts.append(
            f"The account costs about <strong>{esc(money(h.current_monthly_usd))} a month</strong> today. With the "
            f"changes proposed in this report it would cost about <strong>{esc(money(h.proposed_monthly_usd))}</strong>, "
            + (f"<strong>{esc(money(-(h.saving_usd or 0)))} a month more ({esc(pct(-(h.saving_pct or 0)))} more)"
               f"</strong>, or {esc(money(-(h.annual_saving_usd or 0)))} a year more." if more else
               f"a saving of <strong>{esc(saving_money(h.saving_usd))} a month ({esc(pct(h.saving_pct))})</strong>, or "
               f"{esc(saving_money(h.annual_saving_usd))} a year."))
    if h.bill_monthly_usd is not None and h.bill_explained_pct is not None:
        parts.append(f"Priced line by line, the model accounts for {esc(pct(h.bill_explained_pct))} of the "
                     f"{esc(money(h.bill_monthly_usd))} the account was billed last month (Cost Explorer).")
    if h.pipeline_now_min is not None and h.pipeline_predicted_min is not None:
        parts.append(f"A release takes about {esc(minutes(h.pipeline_now_min))} from commit to production today; "
                     f"the proposed pipeline brings that to about {esc(minutes(h.pipeline_predicted_min))}.")
    parts.append(f"The assessment raised <strong>{h.findings_total} findings</strong>" + (f" ({esc(sev)})." if sev else "."))
    disclosure = pricing_disclosure(h)
    notes = (f'<p class="note pricing-disclosure">{esc(disclosure)}</p>' if disclosure else "") + \
        "".join(f'<p class="note">{esc(n)}</p>' for n in h.notes)
    return _block(f'<p class="lead">{" ".join(parts)}</p>' + kpi_row(cards) + notes)


FINDING_COLS = [
    Col("severity", "Severity", severity_chip),
    Col("domain", "Area", _domain),
    Col("title", "Finding", lambda v: truncate(v, 140)),
    Col("resource_ids", "Resources", join_ids),
    Col("effort", "Effort"),
]


def top_findings_html(source: Source, n: int = 8) -> Markup:
    df = top_findings(load_findings(source), n)
    cols = [*FINDING_COLS[:4], Col("monthly_savings_usd", "Saving / month", money, num=True), FINDING_COLS[4]]
    table = html_table(df, cols, classes="full", empty="No finding carries a monetary saving.")
    note = ('<p class="note">Savings of individual findings overlap (consolidating VPCs, for example, also removes '
            "NAT gateways and load balancers), so they do not add up; the total saving above is priced once, line "
            "by line, in the cost model.</p>") if len(df) > 1 else ""
    return _block(table + note)


def key_risks_html(source: Source, n: int = 6) -> Markup:
    df = key_risks(load_findings(source), n)
    cols = [*FINDING_COLS[:3], Col("recommendation", "Recommendation", lambda v: truncate(v, 180))]
    return _block(html_table(df, cols, classes="full", empty="No high or medium risk was found."))


def findings_matrix_html(source: Source) -> Markup:
    df = findings_matrix(load_findings(source))
    cols = [Col("domain", "Area", _domain), *(Col(s, s.capitalize(), num=True) for s in SEVERITIES),
            Col("total", "Total", num=True),
            Col("saving", "Savings flagged / month", lambda v: saving_money(v) if v is not None else "", num=True)]
    total = None
    if len(df) > 1:
        total = {"domain": "All areas", **{s: int(df[s].sum()) for s in (*SEVERITIES, "total")}, "saving": None}
    return _block(html_table(df, cols, total=total, empty="No findings."))


def cost_by_domain_html(source: Source) -> Markup:
    df = cost_by_domain(load_costs(source))
    cols = [Col("domain", "Area", _domain), Col("current", "Today / month", money, num=True),
            Col("proposed", "Proposed / month", money, num=True), Col("saving", "Saving / month", saving_money, num=True)]
    total = None
    if len(df):
        total = {"domain": "Total", "current": df["current"].sum(), "proposed": df["proposed"].sum(),
                 "saving": df["saving"].sum()}
    return _block(html_table(df, cols, total=total, empty="No cost lines (costs.csv) for this account."))


def cost_chart_png(source: Source, dpi: int = 200) -> bytes | None:
    """Horizontal bars, current vs proposed monthly cost per area (PNG bytes; None without costs)."""
    df = cost_by_domain(load_costs(source))
    if df.empty:
        return None
    return cost_bars_png([_domain(d) for d in df["domain"]], list(df["current"]), list(df["proposed"]), dpi)


def cost_chart(source: Source) -> Any:
    """The cost chart as an IPython ``Image`` (or a note when there are no costs)."""
    from IPython.display import HTML, Image

    png = cost_chart_png(source)
    if png is None:
        return HTML(_block('<p class="note">No cost lines (costs.csv) for this account.</p>'))
    return Image(data=png, format="png", width=720)


# --------------------------------------------------------------------------------------- appendix
INVENTORY_SKIP = {"metrics", "coverage", "spend", "stack_events", "pipeline_action_executions", "builds",
                  "pipeline_executions", "deployments", "stopped_tasks", "ecs_deployments", "target_health"}


def inventory_counts(snapshot: Any) -> pd.DataFrame:
    """Resources read per table (area, resource type, count), from the snapshot's tables."""
    from awsassess.tables import TABLES

    rows = []
    for name, table in TABLES.items():
        if name in INVENTORY_SKIP:
            continue
        n = int(len(snapshot.table(name)))
        if n:
            rows.append({"domain": table.domain, "table": name, "what": table.doc.split(" (")[0], "count": n})
    return pd.DataFrame(rows, columns=["domain", "table", "what", "count"])


def activity_counts(snapshot: Any) -> pd.DataFrame:
    """Records of activity read over the lookback (pipeline runs, builds, deployments, metric points)."""
    from awsassess.tables import TABLES

    rows = [{"table": n, "what": TABLES[n].doc.split(" (")[0], "count": int(len(snapshot.table(n)))}
            for n in ("pipeline_executions", "builds", "deployments", "stopped_tasks", "metrics", "spend")
            if n in TABLES]
    return pd.DataFrame([r for r in rows if r["count"]], columns=["table", "what", "count"])


def coverage(snapshot: Any) -> pd.DataFrame:
    """The snapshot's ``coverage`` table (one row per API call kind)."""
    return snapshot.table("coverage")


def coverage_gaps(snapshot: Any) -> pd.DataFrame:
    """API calls that did not return data (access denied, not supported, errors...)."""
    cov = coverage(snapshot)
    if cov.empty:
        return cov
    gaps = cov[cov["status"].astype(str) != "ok"]
    return gaps.sort_values(["status", "service", "operation", "region"]).reset_index(drop=True)


def inventory_html(snapshot: Any) -> Markup:
    df = inventory_counts(snapshot)
    df = df.assign(_order=df["domain"].map({d: i for i, d in enumerate(DOMAIN_LABELS)}).fillna(99))
    df = df.sort_values(["_order", "table"])
    cols = [Col("domain", "Area", _domain), Col("what", "Resource type"), Col("count", "Count", num=True)]
    regions = ", ".join(map(str, getattr(snapshot, "regions", []) or []))
    intro = (f'<p>Read-only inventory of AWS account {esc(getattr(snapshot, "account_id", ""))}'
             + (f" in {esc(regions)}" if regions else "")
             + (f', collected {esc(str(snapshot.manifest.get("collected_at", "")))}' if snapshot.manifest.get("collected_at") else "")
             + ".</p>")
    act = activity_counts(snapshot)
    act_html = ""
    if len(act):
        act_html = "<h4>Activity analysed</h4>" + html_table(
            act, [Col("what", "Records"), Col("count", "Count", num=True)])
    return _block(intro + html_table(df, cols, empty="The snapshot holds no resources.") + act_html)


def coverage_html(snapshot: Any) -> Markup:
    cov = coverage(snapshot)
    if cov.empty:
        return _block('<p class="note">This snapshot did not record which API calls succeeded.</p>')
    ok = int((cov["status"].astype(str) == "ok").sum())
    gaps = coverage_gaps(snapshot)
    intro = (f"<p>{ok} of {len(cov)} read-only API calls returned data. "
             + ("Everything the assessment needs could be read.</p>" if gaps.empty else
                "The calls below could not be read; the resources behind them are <strong>not</strong> covered by "
                "this report's findings and costs.</p>"))
    if gaps.empty:
        return _block(intro)
    cols = [Col("service", "Service"), Col("operation", "Operation"), Col("region", "Region"),
            Col("status", "Result", lambda v: str(v).replace("_", " ")), Col("message", "Message", lambda v: truncate(v, 160))]
    return _block(intro + html_table(gaps, cols, classes="full"))


CONFIDENCE = {
    "A": "official: AWS Price List data or an AWS pricing page",
    "B": "secondary source that agrees with another",
    "C": "single secondary source: confirm before relying on it",
    "estimated": "no list price for the region: the us-east-1 price times the service's regional factor",
    "high": "high", "medium": "medium", "low": "low",
}
CONFIDENT = {"a", "high"}
_CITATION = re.compile(r"^(?P<source>.*?)(?:\s+\((?P<as_of>[^()]*)\))?(?:\s*\[(?P<conf>[^\]]+)\])?\s*$", re.S)
_SOURCE_KEY = re.compile(r"\bS\d+\b")


def parse_citation(text: Any) -> dict[str, str]:
    """``"source (as_of) [confidence]"`` (a cost line's price_source) -> its three parts."""
    m = _CITATION.match(str(text or ""))
    parts = m.groupdict() if m else {}
    return {"source": (parts.get("source") or "").strip(), "as_of": (parts.get("as_of") or "").strip(),
            "confidence": (parts.get("conf") or "").strip()}


def priced_lines(costs: pd.DataFrame) -> pd.DataFrame:
    """Cost lines with ``source``, ``as_of`` and ``confidence`` split out of ``price_source``."""
    if costs.empty:
        return costs.assign(source=[], as_of=[], confidence=[])
    parsed = pd.DataFrame([parse_citation(v) for v in costs["price_source"]], index=costs.index)
    out = costs.assign(source=parsed["source"], as_of=parsed["as_of"], confidence=parsed["confidence"])
    if "confidence" in costs.columns and costs["confidence"].notna().any():
        out["confidence"] = costs["confidence"].fillna(out["confidence"]).astype(str)
    return out


def _sources_catalog() -> pd.DataFrame:
    path = Path(__file__).resolve().parents[1] / "pricing" / "data" / "sources.csv"
    if not path.is_file():
        return pd.DataFrame(columns=["key", "description", "url"])
    return pd.read_csv(path, dtype=str).fillna("")


def confidence_summary(costs: pd.DataFrame) -> pd.DataFrame:
    """Cost lines and money per price confidence grade."""
    lines = priced_lines(costs)
    if lines.empty:
        return pd.DataFrame(columns=["confidence", "meaning", "lines", "monthly_usd"])
    lines = lines.assign(confidence=lines["confidence"].replace("", "not given"))
    out = lines.groupby("confidence").agg(lines=("item", "size"), monthly_usd=("monthly_usd", "sum")).reset_index()
    out["meaning"] = out["confidence"].map(lambda c: CONFIDENCE.get(c, CONFIDENCE.get(c.lower(), "")))
    return out[["confidence", "meaning", "lines", "monthly_usd"]].sort_values("confidence").reset_index(drop=True)


def price_sources(costs: pd.DataFrame, sources_csv: str | Path | None = None) -> pd.DataFrame:
    """The sources behind the unit prices, with how many cost lines and how much money each backs.

    Source keys (``S1``, ``S3`` ...) cited in ``price_source`` are resolved with the catalog's
    ``sources.csv``; citations without keys are listed as written.
    """
    cols = ["key", "description", "url", "lines", "monthly_usd"]
    lines = priced_lines(costs)
    if lines.empty:
        return pd.DataFrame(columns=cols)
    catalog = pd.read_csv(sources_csv, dtype=str).fillna("") if sources_csv else _sources_catalog()
    known = {r["key"]: r for r in catalog.to_dict("records")}
    usage: dict[str, dict[str, Any]] = {}
    for rec in lines.to_dict("records"):
        keys = sorted(set(_SOURCE_KEY.findall(rec["source"])) & set(known)) or [rec["source"] or "(not given)"]
        for k in keys:
            u = usage.setdefault(k, {"lines": 0, "monthly_usd": 0.0})
            u["lines"] += 1
            u["monthly_usd"] += float(rec["monthly_usd"] or 0)
    rows = []
    for k, u in usage.items():
        ref = known.get(k)
        rows.append({"key": k if ref else "", "description": ref["description"] if ref else k,
                     "url": ref["url"] if ref else "", **u})
    return pd.DataFrame(rows, columns=cols).sort_values("monthly_usd", ascending=False).reset_index(drop=True)


def low_confidence_prices(costs: pd.DataFrame) -> pd.DataFrame:
    """The unit prices used whose confidence is not top grade (``A``/``high``), C (weakest) first."""
    cols = ["item", "region", "unit", "unit_price_usd", "confidence", "source", "as_of", "monthly_usd"]
    lines = priced_lines(costs)
    if lines.empty:
        return pd.DataFrame(columns=cols)
    low = lines[~lines["confidence"].astype(str).str.lower().isin(CONFIDENT)]
    if low.empty:
        return pd.DataFrame(columns=cols)
    out = (low.groupby(["item", "region", "unit", "unit_price_usd", "confidence", "source", "as_of"], dropna=False)
           .agg(monthly_usd=("monthly_usd", "sum")).reset_index())
    grade = out["confidence"].astype(str).str.lower().map({"c": 0, "low": 0, "": 1, "b": 2, "medium": 2}).fillna(1)
    return (out.assign(_g=grade).sort_values(["_g", "monthly_usd"], ascending=[True, False])
            .drop(columns="_g")[cols].reset_index(drop=True))


def unpriced(source: Source) -> pd.DataFrame:
    """Cost items the model could not price (model.json ``unpriced``): what, where and why."""
    rows = load_model(source).get("unpriced") or []
    cols = ["scenario", "domain", "item", "resource_id", "region", "reason"]
    df = pd.DataFrame([r for r in rows if isinstance(r, dict)])
    for c in cols:
        if c not in df.columns:
            df[c] = pd.Series([None] * len(df), dtype="object")
    return df[cols]


def unpriced_html(source: Source) -> str:
    """The "Not priced" part of the price sources (a block of its own; '' when everything was priced)."""
    return _block(_unpriced_markup(source))


def _unpriced_markup(source: Source) -> str:
    df = unpriced(source)
    if df.empty:
        return ""
    return ("<h3>Not priced</h3><p>These items could not be priced because the data behind them was not "
            "collected; the monthly totals leave them out.</p>"
            + html_table(df, [Col("scenario", "Scenario"), Col("domain", "Area", _domain), Col("item", "Item"),
                              Col("resource_id", "Resource", short_id), Col("reason", "Why", lambda v: truncate(v, 140))],
                         classes="full"))


def price_sources_html(source: Source) -> Markup:
    results = results_of(source)
    costs = results.costs
    if costs.empty:
        return _block('<p class="note">No cost lines (costs.csv), so no prices were used.</p>')
    html = html_table(confidence_summary(costs), [
        Col("confidence", "Confidence"), Col("meaning", "Meaning"), Col("lines", "Cost lines", num=True),
        Col("monthly_usd", "Monthly USD priced", money, num=True)])
    html += "<h3>Sources</h3>" + html_table(price_sources(costs), [
        Col("key", "Ref"), Col("description", "Source", lambda v: truncate(v, 160)), Col("url", "Where"),
        Col("lines", "Cost lines", num=True), Col("monthly_usd", "Monthly USD priced", money, num=True)],
        classes="full")
    low = low_confidence_prices(costs)
    html += _unpriced_markup(results)
    html += "<h3>Prices to confirm</h3>"
    if low.empty:
        html += '<p class="note">Every unit price used comes from an official source (confidence A).</p>'
    else:
        html += ("<p>These unit prices come from secondary sources. The totals that depend on them should be "
                 "confirmed (AWS Pricing Calculator, or <code>awsassess prices refresh</code>) before a decision.</p>")
        html += html_table(low, [
            Col("item", "Item"), Col("region", "Region"), Col("unit", "Unit"),
            Col("unit_price_usd", "Unit price", lambda v: money(v, 4), num=True), Col("confidence", "Conf."),
            Col("source", "Source", lambda v: truncate(v, 90)), Col("as_of", "As of"),
            Col("monthly_usd", "Monthly USD affected", money, num=True)], classes="full")
    return _block(html)


def assumptions_rows(assumptions: Any) -> pd.DataFrame:
    """Every assumption (``section.field``) with its value, default, description and whether it was changed."""
    rows: list[dict[str, Any]] = []

    def walk(model: Any, prefix: str) -> None:
        fields = getattr(type(model), "model_fields", None)
        if fields is None:
            return
        for name, f in fields.items():
            value = getattr(model, name)
            key = f"{prefix}{name}"
            if hasattr(type(value), "model_fields"):
                walk(value, key + ".")
                continue
            default = f.get_default(call_default_factory=True) if hasattr(f, "get_default") else f.default
            rows.append({"key": key, "value": value, "default": default, "description": f.description or "",
                         "changed": value != default})

    walk(assumptions, "")
    return pd.DataFrame(rows, columns=["key", "value", "default", "description", "changed"])


def _show(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:g}"
    if isinstance(v, (list, tuple, dict)):
        return json.dumps(v, default=str)
    return str(v)


ASSUMPTION_GROUPS = {"model": "Cost model", "findings": "Rule thresholds"}


def assumptions_html(assumptions: Any) -> Markup:
    """The assumptions, cost model first, then rule thresholds; values set for this engagement are marked."""
    df = assumptions_rows(assumptions)
    if df.empty:
        return _block('<p class="note">No assumptions were recorded.</p>')
    changed = int(df["changed"].sum())
    html = (f"<p>The findings and the cost model rest on {len(df)} documented assumptions. "
            + (f"{changed} of them were set for this engagement (marked \u2731); the others are the defaults."
               if changed else "All are at their documented defaults.") + "</p>")
    df = df.assign(group=df["key"].str.split(".").str[0], name=df["key"].str.split(".", n=1).str[-1],
                   shown=[("\u2731 " if c else "") + _show(v) for v, c in zip(df["value"], df["changed"], strict=True)])
    cols = [Col("name", "Assumption", lambda v: Markup(f"<code>{esc(v)}</code>")),
            Col("shown", "Value", lambda v: truncate(v, 60)), Col("description", "Meaning", lambda v: truncate(v, 220))]
    order = [g for g in ASSUMPTION_GROUPS if g in set(df["group"])] + sorted(set(df["group"]) - set(ASSUMPTION_GROUPS))
    for group in order:
        part = df[df["group"] == group]
        html += f"<h3>{esc(ASSUMPTION_GROUPS.get(group, group.capitalize()))}</h3>"
        html += html_table(part, cols, classes="full compact")
    return _block(html)


def deliverables_html(source: Source) -> Markup:
    """The files delivered next to this report (relative names only): on disk, whatever ``source`` is."""
    folder = folder_of(source)
    present = [p.relative_to(folder.path).as_posix() for p in folder.deliverables() if p.is_file()]
    if not present:
        return Markup("")
    items = "".join(f"<li><code>{esc(p)}</code></li>" for p in present)
    return _block("<p>Delivered with this report, in the account folder:</p>"
                  f"<ul>{items}</ul>")
