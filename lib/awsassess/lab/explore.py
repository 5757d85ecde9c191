"""Drill-down from every finding to its evidence, its resources and what they cost, in JupyterLab.

:func:`findings_explorer` is what a section's findings cell calls: in a kernel of ``awsassess lab``
(:func:`awsassess.lab.mode.interactive`) it returns an ipywidgets widget (a filter box, a severity choice and
a sort order over the section's findings table, a list of the findings and a detail pane); everywhere else
(batches, report builds, tests) the static findings table of today (:func:`awsassess.views.findings_table`),
so the cell can call it unconditionally and the report is unchanged.

The detail pane is :func:`finding_detail_html`, a pure function (Finding or dict, cost model) -> HTML: the
finding's severity, Well-Architected pillar and best practice, the rule's rationale, every evidence field, the
full list of resources (full ids and ARNs), the recommendation, the saving, and the cost lines of the model
that belong to its resources (:func:`cost_lines_of`), current and proposed, with totals. Everything from the
account is escaped by :mod:`awsassess.escaping`: names are data, never markup (the pane is an ipywidgets
``HTML``, set as inner HTML).

The widget needs no JavaScript of its own and no trust: its controls are ipywidgets, its table is the static
Styler, filtered and sorted in Python. It lives in :mod:`awsassess.lab` (exploration only) rather than among the
section views of :mod:`awsassess.views`, whose every module is driven by tests/views/test_views_robust.py.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

from awsassess import escaping
from awsassess.findings.base import REGISTRY, SEVERITIES, SEVERITY_ORDER
from awsassess.views import SEVERITY_COLORS, Note, findings_styler, findings_table, short_id

if TYPE_CHECKING:
    from awsassess.model import CostModel

LINE_COLUMNS = ["scenario", "domain", "item", "resource_id", "region", "quantity", "unit", "unit_price_usd",
                "monthly_usd", "confidence", "matched", "share", "attributed_usd"]


# --------------------------------------------------------------------------- the finding, as a dict
def _record(finding: Any) -> dict[str, Any]:
    if hasattr(finding, "to_dict"):
        return dict(finding.to_dict())
    if isinstance(finding, Mapping):
        return dict(finding)
    return dict(vars(finding))


def _ids(d: Mapping[str, Any]) -> list[str]:
    return [str(r) for r in d.get("resource_ids") or []]


# --------------------------------------------------------------------------- cost lines of a finding
def _replaces(value: Any) -> list[str]:
    return [x for x in escaping.clean(value).split("|") if x and x != "nan"]


def _money(v: Any) -> float:
    try:
        x = float(v)
    except (TypeError, ValueError):
        return math.nan
    return x


def _resolve(model: CostModel, ids: list[str]) -> list[str]:
    """The cost-line resource ids the finding's ids name: the model's own resolution (exact, alias, ARN tail,
    and what a container holds: a VPC's NAT gateways, addresses and load balancers), the one
    :func:`awsassess.model.attach_savings` prices savings with."""
    from awsassess.model.savings import Context

    return Context(model).resolve(ids)


def cost_lines_of(finding: Any, model: CostModel | None) -> pd.DataFrame:
    """The lines of ``model.lines`` that belong to the finding's resources, current then proposed.

    Current lines: those of the finding's resources (``matched`` "resource"), and of what they hold or are
    called (``matched`` "held by / alias of": a VPC's NAT gateways, an ARN's name). Proposed lines: those of
    the same resource ids, and those that replace one of them (``matched`` "replaces"). ``share`` is the part
    of a proposed line that falls on these resources (the model's rule: by the current cost of what the line
    replaces), ``attributed_usd`` = ``monthly_usd`` x ``share`` (1 for a current line). Empty without a model.
    """
    if model is None or not len(getattr(model, "lines", ())):
        return pd.DataFrame(columns=LINE_COLUMNS)
    ids = _ids(_record(finding))
    named = set(ids)
    resolved = [r for r in _resolve(model, ids) if r not in named]
    mine = named | set(resolved)
    lines = model.lines
    current = lines[lines["scenario"] == "current"]
    weight: dict[str, float] = defaultdict(float)
    for rid, usd in zip(current["resource_id"].astype(str), current["monthly_usd"], strict=True):
        m = _money(usd)
        weight[rid] += m if m == m else 0.0
    rows: list[dict[str, Any]] = []
    for r in lines.to_dict("records"):
        rid = escaping.clean(r.get("resource_id"))
        base = {c: r.get(c) for c in LINE_COLUMNS[:10]}
        base["resource_id"] = rid
        usd = _money(r.get("monthly_usd"))
        if r.get("scenario") == "current":
            if rid not in mine:
                continue
            rows.append({**base, "matched": "resource" if rid in named else "held by / alias of",
                         "share": 1.0, "attributed_usd": usd})
            continue
        replaced = _replaces(r.get("replaces"))
        hit = [x for x in replaced if x in mine]
        if rid in mine and not hit:
            rows.append({**base, "matched": "resource", "share": 1.0, "attributed_usd": usd})
        elif hit:
            total = sum(max(weight.get(x, 0.0), 0.0) for x in replaced)
            share = (sum(max(weight.get(x, 0.0), 0.0) for x in hit) / total if total > 0
                     else len(hit) / len(replaced))
            rows.append({**base, "matched": f"replaces {len(hit)} of {len(replaced)}", "share": share,
                         "attributed_usd": usd * share})
    out = pd.DataFrame(rows, columns=LINE_COLUMNS)
    order = {"current": 0, "proposed": 1}
    if len(out):
        out = out.assign(_o=out["scenario"].map(order).fillna(2)).sort_values(
            ["_o", "domain", "resource_id", "item"], kind="stable").drop(columns="_o").reset_index(drop=True)
    return out


def cost_totals(lines: pd.DataFrame) -> dict[str, Any]:
    """Current and proposed USD/month of :func:`cost_lines_of` (proposed lines by their share), the difference,
    and how many lines have no price (left out of the sums)."""
    def total(scenario: str) -> float:
        s = pd.to_numeric(lines.loc[lines["scenario"] == scenario, "attributed_usd"], errors="coerce")
        return float(s.sum(skipna=True))

    unpriced = int(pd.to_numeric(lines["monthly_usd"], errors="coerce").isna().sum()) if len(lines) else 0
    current, proposed = total("current"), total("proposed")
    return {"current_usd": round(current, 2), "proposed_usd": round(proposed, 2),
            "difference_usd": round(current - proposed, 2), "unpriced_lines": unpriced}


# --------------------------------------------------------------------------- HTML
#: the pane's CSS, scoped to its class (the pane is set as inner HTML of an ipywidgets ``HTML``)
CSS = """<style>
.awsassess-finding { line-height: 1.35; }
.awsassess-finding h4 { margin: 0.2em 0 0.4em 0; font-size: 1.1em; }
.awsassess-finding h5 { margin: 0.9em 0 0.3em 0; font-size: 1em; }
.awsassess-finding table { border-collapse: collapse; margin: 0.2em 0; font-size: 0.92em; }
.awsassess-finding th, .awsassess-finding td { border: 1px solid #ddd; padding: 3px 6px; text-align: left;
  vertical-align: top; }
.awsassess-finding td.num { text-align: right; white-space: nowrap; }
.awsassess-finding ol, .awsassess-finding ul { margin: 0; padding-left: 1.8em; }
.awsassess-finding p { margin: 0.2em 0; }
.awsassess-finding .sev { color: white; font-weight: bold; padding: 1px 6px; border-radius: 3px; }
</style>"""


def _e(value: Any) -> str:
    return escaping.text(value)


def _number(v: Any) -> str:
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, int):
        return f"{v:,}"
    return "–" if v != v else f"{v:,}"


def _value_html(value: Any) -> str:
    """An evidence value: a scalar as text, a list of scalars inline, another list as a list, a mapping as a table."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if isinstance(value, bool | int | float):
        return _number(value)
    if isinstance(value, Mapping):
        if not value:
            return "–"
        rows = "".join(f"<tr><th>{_e(k)}</th><td>{_value_html(v)}</td></tr>"
                       for k, v in value.items())
        return f"<table>{rows}</table>"
    if isinstance(value, list | tuple):
        if not value:
            return "–"
        if all(not isinstance(v, Mapping | list | tuple) for v in value):  # inline, wrapping between items
            return ", ".join(_value_html(v) for v in value)
        return "<ul>" + "".join(f"<li>{_value_html(v)}</li>" for v in value) + "</ul>"
    return _e(value)


def _usd(v: Any, digits: int = 2) -> str:
    x = _money(v)
    return "unpriced" if x != x else f"{x:,.{digits}f}"


def _lines_html(lines: pd.DataFrame) -> str:
    if not len(lines):
        return ("<p><i>No cost line of the model belongs to these resources (the model prices compute, network, "
                "data stores, CDN and pipelines).</i></p>")
    head = "".join(f"<th>{h}</th>" for h in (
        "Scenario", "Domain", "Item", "Resource", "Quantity", "Unit", "Unit price USD", "USD/month", "Matched",
        "Share", "USD/month here", "Price [conf.]"))
    body = []
    for r in lines.to_dict("records"):
        share = _money(r["share"])
        cells = [f"<td>{_e(r['scenario'])}</td>", f"<td>{_e(r['domain'])}</td>", f"<td>{_e(r['item'])}</td>",
                 f"<td>{_e(r['resource_id'])}</td>", f'<td class="num">{_usd(r["quantity"])}</td>',
                 f"<td>{_e(r['unit'])}</td>", f'<td class="num">{_unit_price(r["unit_price_usd"])}</td>',
                 f'<td class="num">{_usd(r["monthly_usd"])}</td>', f"<td>{_e(r['matched'])}</td>",
                 f'<td class="num">{"–" if share != share else f"{share:.0%}"}</td>',
                 f'<td class="num">{_usd(r["attributed_usd"])}</td>', f"<td>{_e(r['confidence'])}</td>"]
        body.append("<tr>" + "".join(cells) + "</tr>")
    t = cost_totals(lines)
    foot = "".join(f'<tr><th colspan="10">{label}, USD/month</th><td class="num"><b>{t[key]:,.2f}</b></td>'
                   "<td></td></tr>"
                   for label, key in (("Current", "current_usd"),
                                      ("Proposed (their share of the lines that replace them)", "proposed_usd"),
                                      ("Difference", "difference_usd")))
    note = (f"<p><i>{t['unpriced_lines']} line(s) have no price and are left out of the sums.</i></p>"
            if t["unpriced_lines"] else "")
    return (f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody><tfoot>{foot}</tfoot></table>"
            f"{note}<p><i>What these resources cost today and in the whole proposal; the finding's own saving is "
            "priced from its rule's basis (saving_basis in the evidence), so the two can differ.</i></p>")


def _unit_price(v: Any) -> str:
    x = _money(v)
    return "unpriced" if x != x else f"{x:.6g}"


def finding_detail_html(finding: Any, model: CostModel | None = None) -> str:
    """Everything about one finding (a Finding or its dict), as HTML: severity, pillar and best practice,
    the rule's rationale, every evidence field, every resource by its full id, the recommendation, the
    saving, and (with ``model``) the cost lines of its resources with their totals (:func:`cost_lines_of`)."""
    d = _record(finding)
    rule_id = str(d.get("rule_id") or "")
    spec = REGISTRY.get(rule_id)
    severity = str(d.get("severity") or "")
    colour = SEVERITY_COLORS.get(severity, "#7f8c8d")
    badge = f'<span class="sev" style="background-color:{colour}">{_e(severity)}</span>'
    facts = [("Severity", badge), ("Domain", _e(d.get("domain"))),
             ("Pillar", _e(spec.pillar.capitalize() if spec else "") or "–"),
             ("Best practice", _e(spec.best_practice if spec else "") or "–"),
             ("Effort", _e(d.get("effort")) or "–"), ("Account", _e(d.get("account_id")) or "–"),
             ("Region", _e(d.get("region")) or "–"), ("Finding id", _e(d.get("finding_id")) or "–")]
    if spec is not None:
        facts.append(("Why it matters", _e(spec.rationale)))
    facts_html = "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in facts)
    evidence = d.get("evidence") or {}
    ev_html = (_value_html(evidence) if isinstance(evidence, Mapping) and evidence
               else "<p><i>No evidence fields.</i></p>")
    ids = _ids(d)
    res_html = ("<ol>" + "".join(
        f"<li><code>{_e(r)}</code></li>" for r in ids) + "</ol>") if ids else "<p><i>No resource named.</i></p>"
    saving = d.get("monthly_savings_usd")
    saving_x = _money(saving)
    if saving is None or saving_x != saving_x:
        basis = spec.saving.description.strip().rstrip(".") if spec is not None else ""
        lead = "None: not a cost finding" if spec is not None and spec.saving.method == "not_cost" else "Not quantified"
        saving_html = lead + (f" ({_e(basis)})" if basis else "") + "."
    else:
        saving_html = (f"<b>USD {saving_x:,.2f} per month</b> (USD {saving_x * 12:,.0f} per year)." if saving_x >= 0
                       else f"<b>A cost increase: USD {-saving_x:,.2f} more per month</b> (USD {-saving_x * 12:,.0f} per year).")
    parts = [
        f'{CSS}<div class="awsassess-finding {escaping.NO_MATH}">',
        f"<h4>{_e(rule_id)} — {_e(d.get('title'))}</h4>",
        f"<table>{facts_html}</table>",
        f"<h5>Evidence</h5>{ev_html}",
        f"<h5>Resources ({len(ids)})</h5>{res_html}",
        f"<h5>Recommendation</h5><p>{_e(d.get('recommendation'))}</p>",
        f"<h5>Saving</h5><p>{saving_html}</p>",
    ]
    if model is not None:
        parts.append(f"<h5>Cost lines of these resources</h5>{_lines_html(cost_lines_of(d, model))}")
    parts.append("</div>")
    return "".join(parts)


# --------------------------------------------------------------------------- the explorer
def _select(ctx: Any, domain: str | Sequence[str] | None, findings: Iterable[Any] | None) -> list[Any]:
    if findings is not None:
        found = list(findings)
        if domain is None:
            return found
        domains = [domain] if isinstance(domain, str) else list(domain)
        return [f for d in domains for f in found if _record(f).get("domain") == d]
    if domain is None:
        return list(ctx.findings)
    domains = [domain] if isinstance(domain, str) else list(domain)
    return [f for d in domains for f in ctx.findings_for(d)]


def option_label(finding: Any) -> str:
    """"RULE — title — first resource (+N)": what the finding list shows (plain text, not HTML)."""
    d = _record(finding)
    ids = _ids(d)
    where = (short_id(ids[0]) + (f" (+{len(ids) - 1})" if len(ids) > 1 else "")) if ids else ""
    label = f"{d.get('rule_id')} — {d.get('title')}" + (f" — {where}" if where else "")
    return escaping.clean(label)


def _haystack(finding: Any) -> str:
    d = _record(finding)
    parts = [d.get("rule_id"), d.get("title"), d.get("severity"), d.get("domain"), d.get("region"),
             d.get("recommendation"), *_ids(d), json.dumps(d.get("evidence") or {}, default=str)]
    return " ".join(str(p) for p in parts if p is not None).lower()


ORDERS = {"severity": "severity, then rule", "saving": "saving, largest first", "rule": "rule id"}


class FindingsExplorer:
    """The widgets of :func:`findings_explorer` and their logic (filter, order, selection); ``widget`` is what
    a cell shows. Filtering and ordering are plain methods (:meth:`visible`), testable without a kernel."""

    def __init__(self, findings: Sequence[Any], model: CostModel | None = None) -> None:
        import ipywidgets as w

        self.findings = list(findings)
        self.model = model
        self._text = [_haystack(f) for f in self.findings]
        present = [s for s in SEVERITIES if any(_record(f).get("severity") == s for f in self.findings)]
        self.search = w.Text(placeholder="rule, title, resource id, evidence…", description="Filter",
                             continuous_update=True, layout=w.Layout(width="24em"))
        self.severity = w.Dropdown(options=[("all", "")] + [(s, s) for s in present], value="",
                                   description="Severity", layout=w.Layout(width="14em"))
        self.order = w.Dropdown(options=[(v, k) for k, v in ORDERS.items()], value="severity",
                                description="Sort by", layout=w.Layout(width="18em"))
        self.count = w.HTML()
        self.table = w.HTML(layout=w.Layout(max_height="32em", overflow="auto"))
        self.select = w.Select(options=[], rows=min(10, max(3, len(self.findings))), description="Finding",
                               layout=w.Layout(width="100%"))
        self.detail = w.HTML()
        for control in (self.search, self.severity, self.order):
            control.observe(self._refresh, names="value")
        self.select.observe(self._show, names="value")
        self.widget = w.VBox([w.HBox([self.search, self.severity, self.order, self.count]), self.table,
                              w.HTML("<b>Details</b> (choose a finding):"), self.select, self.detail])
        self._refresh()

    def visible(self, text: str = "", severity: str = "", order: str = "severity") -> list[int]:
        """Indexes of the findings that match every word of ``text`` (rule, title, severity, resources,
        evidence, recommendation) and ``severity`` ("" for all), in ``order`` (a key of :data:`ORDERS`)."""
        words = text.lower().split()
        keep = [i for i, f in enumerate(self.findings)
                if (not severity or _record(f).get("severity") == severity)
                and all(word in self._text[i] for word in words)]

        def saving(i: int) -> float:
            x = _money(_record(self.findings[i]).get("monthly_savings_usd"))
            return -x if x == x else math.inf

        if order == "saving":
            return sorted(keep, key=lambda i: (saving(i), i))
        if order == "rule":
            return sorted(keep, key=lambda i: (str(_record(self.findings[i]).get("rule_id")), i))
        return sorted(keep, key=lambda i: (SEVERITY_ORDER.get(str(_record(self.findings[i]).get("severity")), 9),
                                           str(_record(self.findings[i]).get("rule_id")), i))

    def _refresh(self, _change: Any = None) -> None:
        shown = self.visible(self.search.value, self.severity.value, self.order.value)
        self.count.value = f"{len(shown)} of {len(self.findings)} findings"
        styler = findings_styler([self.findings[i] for i in shown])
        self.table.value = (f"<p><i>{escaping.plain(styler.text)}</i></p>" if isinstance(styler, Note)
                            else f'<div class="{escaping.NO_MATH}">{styler.to_html()}</div>')
        keep = self.select.value
        self.select.options = [(option_label(self.findings[i]), i) for i in shown]
        if keep in shown:
            self.select.value = keep
        elif shown:
            self.select.value = shown[0]
        else:
            self.select.value = None
        self._show()

    def _show(self, _change: Any = None) -> None:
        i = self.select.value
        self.detail.value = ("" if i is None else finding_detail_html(self.findings[i], self.model))


def findings_explorer(ctx: Any, domain: str | Sequence[str] | None = None, *,
                      findings: Iterable[Any] | None = None) -> Any:
    """A section's findings with their drill-down. ``domain``: one domain, several (``("stacks", "security")``,
    in that order) or None for all; ``findings``: other findings than ``ctx.findings`` (then filtered by
    ``domain`` too).

    In a kernel of ``awsassess lab``: an ipywidgets widget (:class:`FindingsExplorer`), or a note when there is
    no finding. Everywhere else: :func:`awsassess.views.findings_table` of the same findings, the static table
    of today (``findings_explorer(ctx, "network")`` shows what ``findings_table(ctx.findings_for("network"))``
    shows)."""
    from awsassess.lab.mode import interactive

    chosen = _select(ctx, domain, findings)
    if not interactive():
        return findings_table(chosen)
    if not chosen:
        return Note("No findings in this area.")
    return FindingsExplorer(chosen, getattr(ctx, "model", None)).widget
