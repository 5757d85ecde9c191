"""Notebook outputs are presentable by default in JupyterLab (issue 19): prices are no mathematics, the
summary's cards carry their look, table text is left-aligned and numbers right, reasons are shown whole,
and a change that costs more says so instead of showing a negative saving.

JupyterLab 4 typesets every Markdown and HTML output with MathJax: "$4,110 a month ... $2,444" became
italic maths. MathJax skips what is inside an element of class ``mathjax_ignore`` (``tex2jax_ignore`` for
MathJax 2); in Markdown, ``\\$`` is no escape in JupyterLab (its Markdown parser makes it a plain ``$``), so
Markdown carries no ``$`` at all (``&#36;``) and sits in such an element too. Here every view, summary block
and coverage note of the demo (and of a snapshot whose names and messages hold dollar amounts) is rendered
as the notebook shows it and checked: every ``$`` of the shown text is inside an ignored element, and the
report (nbconvert's Markdown, the report's sanitiser) still shows a plain ``$``.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from awsassess import coverage, escaping
from awsassess.assumptions import resolve
from awsassess.findings.thresholds import FindingsAssumptions
from awsassess.notebook import Context
from awsassess.report import summary
from awsassess.report.sanitize import clean_html
from awsassess.views import (
    Chart,
    Note,
    cdn,
    compute,
    costs,
    datastores,
    findings_table,
    iac,
    network,
    pillars,
    pipelines,
    progress,
    safe_styler,
    stacks,
)
from demo_snapshots import demo_snapshot
from nbconvert.filters.markdown_mistune import markdown2html_mistune
from pandas.io.formats.style import Styler
from paths import REPO
from snapshots_factory import SnapshotBuilder

SNAPSHOT_VIEWS = (network, compute, pipelines, datastores, cdn, stacks)
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
PRICEY = "fees $5 and $6 a month"  # two dollar signs: a pair MathJax would typeset


# ----------------------------------------------------------------------------------- what MathJax sees
class _Exposed(HTMLParser):
    """Text with a ``$`` outside every element MathJax ignores (both classes: MathJax 3/4 and 2)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []
        self.exposed: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in VOID:
            return
        classes = (dict(attrs).get("class") or "").split()
        self.stack.append((tag, "mathjax_ignore" in classes and "tex2jax_ignore" in classes))

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                return

    def handle_data(self, data: str) -> None:
        inside = [t for t, _ in self.stack]
        if "$" in data and not any(ignored for _, ignored in self.stack) and not {"style", "script"} & set(inside):
            self.exposed.append(data.strip())


def exposed_dollars(html: str) -> list[str]:
    finder = _Exposed()
    finder.feed(html)
    finder.close()
    return finder.exposed


def shown(out: Any) -> Iterator[tuple[str, str]]:
    """(mime, text) of what a notebook shows for ``out`` (charts are PNGs: nothing MathJax reads)."""
    from IPython.display import HTML, Image

    if out is None or isinstance(out, Chart | Image):
        return
    if isinstance(out, Note):
        yield "text/markdown", out._repr_markdown_()
    elif isinstance(out, Styler):
        yield "text/html", out.to_html()
    elif isinstance(out, HTML):
        yield "text/html", str(out.data)
    elif hasattr(out, "_repr_html_"):
        yield "text/html", out._repr_html_()
    elif isinstance(out, str):
        yield "text/html", out
    else:
        raise AssertionError(f"unexpected output {type(out).__name__}")


def assert_no_maths(name: str, out: Any) -> int:
    """Every ``$`` ``out`` shows is kept from MathJax; returns how many were seen."""
    seen = 0
    for mime, text in shown(out):
        if mime == "text/markdown":
            assert "$" not in text, f"{name}: a raw $ in Markdown (JupyterLab pairs it, \\$ included): {text[:200]}"
            html = markdown2html_mistune(text)
            assert "\\$" not in html, f"{name}: a backslash before $ in the report"
        else:
            html = text
        assert not exposed_dollars(html), f"{name}: $ outside a mathjax_ignore element: {exposed_dollars(html)[:3]}"
        seen += html.count("$")
    return seen


# ----------------------------------------------------------------------------------- the outputs
def _call(fn: Callable[..., Any], *args: Any) -> Any:
    params = inspect.signature(fn).parameters
    if "assumptions" in params:
        return fn(*args, FindingsAssumptions())
    return fn(*args)


def _public(module: Any) -> list[Callable[..., Any]]:
    return [fn for name, fn in inspect.getmembers(module, inspect.isfunction)
            if not name.startswith("_") and fn.__module__ == module.__name__]


def snapshot_outputs(snapshot: Any) -> Iterator[tuple[str, Any]]:
    for module in SNAPSHOT_VIEWS:
        for fn in _public(module):
            if fn.__name__.endswith("_frame"):
                continue
            yield f"{module.__name__.rsplit('.', 1)[1]}.{fn.__name__}", _call(fn, snapshot)
    yield "coverage.banner", coverage.banner(snapshot)
    for domain in coverage.DOMAIN_TITLES:
        yield f"coverage.section_note({domain})", coverage.section_note(snapshot, domain)
    yield "pillars.not_assessed", pillars.not_assessed(snapshot)
    yield "summary.inventory_html", summary.inventory_html(snapshot)
    yield "summary.coverage_html", summary.coverage_html(snapshot)


def context_outputs(ctx: Context) -> Iterator[tuple[str, Any]]:
    model = ctx.model
    for fn in _public(costs):
        yield f"costs.{fn.__name__}", fn(model)
    yield "findings_table", findings_table(ctx.findings)
    yield "pillars.pillar_status", pillars.pillar_status(ctx.findings)
    for p in pillars.RISK_PILLARS:
        yield f"pillars.pillar_findings({p})", pillars.pillar_findings(ctx.findings, p)
    for fn in (iac.overview, iac.resources, iac.imports, iac.client_inputs, iac.apply_order, iac.workflows,
               iac.manual_work, iac.checks):
        yield f"iac.{fn.__name__}", fn(ctx)
    for name in ("headline_html", "top_findings_html", "key_risks_html", "cost_by_domain_html",
                 "findings_matrix_html", "price_sources_html", "unpriced_html", "deliverables_html", "cost_chart"):
        yield f"summary.{name}", getattr(summary, name)(ctx)
    yield "summary.assumptions_html", summary.assumptions_html(ctx.assumptions)


@pytest.fixture(scope="module")
def demo_ctx(tmp_path_factory: pytest.TempPathFactory) -> Context:
    # the session's cached demo snapshot is only read here (the views copy what they change)
    return Context(snapshot=demo_snapshot("production"), account_dir=tmp_path_factory.mktemp("acct"),
                   assumptions=resolve({}))


def pricey_snapshot() -> Any:
    """Names, reasons and messages from the account that hold dollar amounts."""
    b = SnapshotBuilder()
    b.vpc("vpc-1", name=PRICEY)
    b.subnet("subnet-1", "vpc-1")
    b.fargate_service("api", cluster=PRICEY)
    b.add("stopped_tasks", task_arn="arn:aws:ecs:us-east-1:123456789012:task/main/1", cluster="main",
          group="service:api", stopped_at=b.at(hours=2), stop_code="TaskFailedToStart", stopped_reason=PRICEY)
    b.add("stacks", stack_name=PRICEY, status="UPDATE_ROLLBACK_FAILED")
    b.add("stack_events", stack_name=PRICEY, timestamp=b.at(hours=3), logical_id="Db", resource_type="AWS::RDS::DBInstance",
          status="UPDATE_FAILED", reason=PRICEY)
    b.add("coverage", service="ecs", operation="ListServices", status="error", message=PRICEY)
    b.add("coverage", service="ce", operation="GetCostAndUsage", status="access_denied", message=PRICEY)
    return b.build()


def test_demo_outputs_show_dollars_and_none_is_maths(demo_ctx: Context) -> None:
    """The demo's figures are full of prices (the summary, the cost tables, the data stores' reasons, the
    proposed architecture): every one of them is kept from MathJax."""
    seen = {name: assert_no_maths(name, out) for name, out in context_outputs(demo_ctx)}
    seen.update({name: assert_no_maths(name, out) for name, out in snapshot_outputs(demo_ctx.snapshot)})
    # the cases of the issue: the headline, the proposed compute, the data stores' reasons, the assumptions
    for name in ("summary.headline_html", "summary.cost_by_domain_html", "costs.proposed_overview",
                 "costs.datastores", "costs.assumptions", "summary.price_sources_html"):
        assert seen[name] >= 1, f"{name} shows no $ any more: this test no longer covers it"


def test_account_text_with_dollars_is_no_maths_in_any_view() -> None:
    snapshot = pricey_snapshot()
    seen = {name: assert_no_maths(name, out) for name, out in snapshot_outputs(snapshot)}
    for name in ("network.inventory", "compute.inventory", "compute.stopped_tasks", "stacks.inventory",
                 "stacks.failed", "coverage.banner", "coverage.section_note(compute)", "summary.coverage_html"):
        assert seen[name] >= 2, name


def test_a_note_is_markdown_without_a_dollar_and_reads_plain_in_the_report() -> None:
    md = Note(f"{PRICEY} & <b>x</b>'s")._repr_markdown_()
    assert "$" not in md and escaping.NO_MATH in md
    html = markdown2html_mistune(md)
    assert "fees $5 and $6 a month" in html and "\\$" not in html  # nbconvert: the entity is a plain $
    assert "&lt;b&gt;" in html and "<b>" not in html  # still escaped
    assert "<em>" in html  # still Markdown inside the block
    assert 'class="tex2jax_ignore mathjax_ignore"' in clean_html(html)  # the report keeps the class (harmless)
    assert not exposed_dollars(html)
    assert Note("")._repr_markdown_() == ""  # nothing to say shows nothing (not "**")


def test_progress_headline_with_prices_is_no_maths() -> None:
    doc = {"summary": {"waves_done": 1, "waves": 3, "findings": {"resolved": 2}, "planned_still_open": 0},
           "money": {"before_usd": 4100.0, "now_usd": 4300.0, "planned_usd": 2400.0, "banked_saving_usd": -200.0,
                     "promised_saving_usd": 1700.0, "banked_pct_of_promised": -11.8, "bill": None},
           "before_collected_at": "2026-10-01T00:00:00Z", "after_collected_at": "2026-11-01T00:00:00Z"}
    out = progress.headline(doc)
    assert assert_no_maths("progress.headline", out) >= 4
    html = out._repr_html_()
    # a cost that rose is said as such, never as a negative saving banked
    assert "costs $200 a month more than at the baseline" in html and "$-200" not in html and "\u2212$200" not in html
    assert assert_no_maths("progress.notes", progress.notes({"notes": [PRICEY]})) == 2


# ----------------------------------------------------------------------------------- the report is unchanged
def test_the_report_drops_the_outputs_style_and_shows_plain_dollars(demo_ctx: Context) -> None:
    """The style a block brings along is for JupyterLab: the report's sanitiser removes it whole (its own CSS
    draws the same cards), and the dollar amounts stay plain text."""
    html = summary.headline_html(demo_ctx)
    assert "<style>" in html
    cleaned = clean_html(html)
    assert "<style" not in cleaned and ".kpi" not in cleaned  # dropped, never shown as text
    assert '<div class="kpis">' in cleaned and re.search(r'<div class="value">\$[\d,]+</div>', cleaned)
    assert "\\$" not in cleaned and "&#36;" not in cleaned


# ----------------------------------------------------------------------------------- the cards' look
def _rules(css: str) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for selector, body in re.findall(r"([^{}]+)\{([^{}]*)\}", re.sub(r"/\*.*?\*/", "", css, flags=re.S)):
        decls = dict((k.strip(), v.strip()) for k, _, v in (d.partition(":") for d in body.split(";")) if k.strip())
        for sel in selector.split(","):
            out.setdefault(" ".join(sel.split()), {}).update(decls)
    return out


def test_the_summary_cards_carry_the_reports_look_in_jupyterlab(demo_ctx: Context) -> None:
    """JupyterLab has no report CSS: the headline block brings the report's rules for its cards, chips and
    totals, scoped to the output, with the report's values (report.css variables resolved)."""
    html = summary.headline_html(demo_ctx)
    style = re.search(r"<style>(.*?)</style>", html, re.S)
    assert style and html.index("<style>") < html.index('<div class="kpis">')
    mine = _rules(style.group(1))
    scope = f"div.{escaping.OUTPUT_CLASS}"
    assert mine and all(sel.startswith(scope) for sel in mine)  # nothing outside the output is restyled
    report_css = (REPO / "lib/awsassess/templates/awsassess_report/report.css").read_text()
    variables = dict(re.findall(r"(--[\w-]+):\s*([^;]+);", report_css))
    report = _rules(report_css.split("@media", 1)[0])  # the screen rules (print rules follow the first @media)
    for sel, decls in mine.items():
        if sel.startswith(f"{scope} th") or sel.startswith(f"{scope} td") or sel.endswith("table.full"):
            continue  # the alignment every output brings (escaping.TABLE_CSS)
        theirs = report.get(sel.removeprefix(scope).strip())
        assert theirs is not None, f"report.css has no rule for {sel}"
        resolved = {k: re.sub(r"var\((--[\w-]+)\)", lambda m: variables[m.group(1)].strip(), v)
                    for k, v in theirs.items() if k not in ("break-inside", "page-break-inside")}
        resolved = {k: v.replace(" !important", "") for k, v in resolved.items()}
        assert decls == resolved, f"{sel}: {decls} != report.css {resolved}"
    for part in (".kpis", ".kpi .value", ".kpi.good", ".sev-high", "tr.total td"):
        assert f"{scope} {part}" in mine, part


# ----------------------------------------------------------------------------------- alignment
def test_html_tables_align_text_left_and_numbers_right_in_jupyterlab(demo_ctx: Context) -> None:
    """JupyterLab right-aligns every cell (``:not(.jp-RenderedMarkdown).jp-RenderedHTMLCommon td``): the
    hand-built tables bring a rule that beats it (two classes and an element), text left, ``num`` right."""
    for out in (summary.cost_by_domain_html(demo_ctx), summary.key_risks_html(demo_ctx),
                pillars.pillar_status(demo_ctx.findings)._repr_html_()):
        assert escaping.TABLE_CSS in out
    scope = f"div.{escaping.OUTPUT_CLASS}.{escaping.OUTPUT_CLASS}"
    assert f"{scope} th, {scope} td {{ text-align: left;" in escaping.TABLE_CSS
    assert f"{scope} th.num, {scope} td.num {{ text-align: right;" in escaping.TABLE_CSS
    assert escaping.html_block("<p>no table</p>") == f'<div class="{escaping.OUTPUT_CLASS} {escaping.NO_MATH}"><p>no table</p></div>'
    assert escaping.html_block("") == ""


def test_styler_tables_align_text_left_numbers_right_and_ignore_maths() -> None:
    df = pd.DataFrame({"Item": ["$1,200 a month", "$300"], "USD/month": [1200.0, 300.0], "Count": [1, 2]})
    html = safe_styler(df.style.hide(axis="index"), df).to_html()
    table_id = re.search(r'<table id="(T_\w+)" class="tex2jax_ignore mathjax_ignore"', html)
    assert table_id, html[:400]
    tid = table_id.group(1)
    css = html.split("</style>")[0]
    assert re.search(rf"#{tid}_row0_col0[^{{]*\{{\s*text-align: left", css)
    assert re.search(rf"#{tid}_row0_col1, #{tid}_row0_col2[^{{]*\{{\s*text-align: right", css)
    assert re.search(rf"#{tid} th\.col1 \{{\s*text-align: right", css)  # a number's header over it
    assert re.search(rf"#{tid} th \{{\s*text-align: left", css)
    assert "<style" in clean_html(html) and "mathjax_ignore" in clean_html(html)  # the report keeps both
    assert not exposed_dollars(html)


# ----------------------------------------------------------------------------------- reasons in full
def test_stopped_task_reasons_are_shown_whole_with_the_full_arn() -> None:
    arn = ("arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/"
           "fintech-production-wallet-target-group/49541aa06343babb")
    reason = f"Task failed ELB health checks in (target-group {arn}) after 3 consecutive failures of /health"
    assert len(reason) > 160
    b = SnapshotBuilder()
    b.add("stopped_tasks", task_arn="arn:aws:ecs:us-east-1:123456789012:task/main/1", cluster="main",
          group="service:wallet", stopped_at=b.at(hours=2), stop_code="TaskFailedToStart", stopped_reason=reason)
    html = compute.stopped_tasks(b.build()).to_html()
    text = html.replace("<wbr>", "")
    assert reason in text, "the reason is cut"
    assert "<wbr>" in html  # the long ARN can wrap in its cell


def test_failed_stack_event_reasons_are_shown_whole() -> None:
    reason = "Resource handler returned message: " + "x" * 40 + " " + "arn:aws:rds:us-east-1:1:db:" + "y" * 150
    b = SnapshotBuilder()
    b.add("stack_events", stack_name="app", timestamp=b.at(hours=3), logical_id="Db",
          resource_type="AWS::RDS::DBInstance", status="UPDATE_FAILED", reason=reason)
    assert reason in stacks.failed(b.build()).to_html().replace("<wbr>", "")


# ----------------------------------------------------------------------------------- costs more, not a negative saving
def test_a_negative_saving_reads_as_a_cost_increase() -> None:
    saving_text = escaping.saving_text
    assert saving_text(792.34) == "792" and saving_text(-36.2) == "costs 36 more"
    assert saving_text(-3.24, 1, "%") == "costs 3.2% more" and saving_text(-0.2) == "0"
    assert saving_text(None) == "–" and saving_text(float("nan")) == "–" and saving_text(pd.NA) == "–"
    assert saving_text(-1234.5, currency="$") == "costs $1,234 more"
    assert summary.saving_money(-36.2) == "costs $36 more" and summary.saving_money(1699) == "$1,699"
    assert summary.saving_money(-0.3) == "$0" and summary.saving_money(None) == "\u2014"


class _Model:
    """What by_domain and sensitivity read of a cost model (the figures are the model's, not changed)."""

    def __init__(self) -> None:
        self.summary = {"current_monthly_usd": 100.0, "proposed_monthly_usd": 130.0, "saving_pct": -30.0}
        self.sensitivity = pd.DataFrame({
            "utilisation_target": [0.7], "savings_plans": [False], "compute_choice": ["Fargate"],
            "proposed_compute_usd": [80.0], "current_usd": [100.0], "proposed_usd": [130.0], "saving_usd": [-30.0],
            "saving_pct": [-30.0], "is_default": [True]})

    def by_domain(self) -> pd.DataFrame:
        return pd.DataFrame({"domain": ["compute", "network", "total"], "current_usd": [60.0, 40.0, 100.0],
                             "proposed_usd": [100.0, 30.0, 130.0], "saving_usd": [-40.0, 10.0, -30.0],
                             "saving_pct": [-66.7, 25.0, -30.0]})


def test_views_label_an_upsizing_as_a_cost_increase() -> None:
    model: Any = _Model()
    html = costs.by_domain(model).to_html()
    assert "costs 40 more" in html and "costs 67% more" in html and ">10<" in html and ">25<" in html
    assert not re.search(r">\s*-\d", html), "a negative saving is shown"
    sens = costs.sensitivity(model).to_html()
    assert "costs 30.0 more" in sens and "costs 30.0% more" in sens
    assert isinstance(costs.by_domain_chart(model), Chart)  # its title says "costs 30% more"


def test_the_summary_labels_a_proposal_that_costs_more(tmp_path: Path) -> None:
    lines = pd.DataFrame([
        {"scenario": "current", "domain": "compute", "item": "Fargate vCPU", "monthly_usd": 60.0},
        {"scenario": "proposed", "domain": "compute", "item": "Fargate vCPU", "monthly_usd": 100.0},
        {"scenario": "current", "domain": "network", "item": "NAT gateway", "monthly_usd": 40.0},
        {"scenario": "proposed", "domain": "network", "item": "NAT gateway", "monthly_usd": 30.0}])
    results = summary.Results(findings=summary.findings_table([]), costs=summary.costs_table(lines), model={})
    head = summary.headline_html(results)
    assert '<div class="label">Extra cost</div><div class="value">$30</div>' in head and 'class="kpi bad"' in head
    assert "$30 a month more (30% more)" in head and "a saving of" not in head
    assert "\u2212$" not in head
    table = summary.cost_by_domain_html(results)
    assert "costs $40 more" in table and "<td class=\"num\">$10</td>" in table and "costs $30 more" in table
    assert "\u2212$" not in table
    findings = summary.findings_table([{"rule_id": "CMP-002", "domain": "compute", "severity": "medium",
                                        "title": "Under-provisioned", "monthly_savings_usd": -36.0}])
    matrix = summary.findings_matrix_html(summary.Results(findings=findings, costs=results.costs, model={}))
    assert "costs $36 more" in matrix and "\u2212$" not in matrix
