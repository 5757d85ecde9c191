"""The findings drill-down: every evidence field, every resource, the cost lines of its resources; static
table outside JupyterLab, a widget inside."""

from __future__ import annotations

import copy
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pandas as pd
import pytest
from awsassess.findings import Finding
from awsassess.findings.base import REGISTRY
from awsassess.lab.explore import (
    FindingsExplorer,
    cost_lines_of,
    cost_totals,
    finding_detail_html,
    findings_explorer,
    option_label,
)
from awsassess.lab.mode import LAB_ENV
from awsassess.views import Note, findings_frame, findings_table, resource_list
from demo_snapshots import demo_model

EVIL = "<script>alert(1)</script>"
ACCOUNT = "222222222222"
SVC = f"arn:aws:ecs:us-east-1:{ACCOUNT}:service/fintech-production/"


def _finding(rule_id: str = "NET-003", resources: list[str] | None = None, *, severity: str = "medium",
             title: str = "t", evidence: dict[str, Any] | None = None, saving: float | None = None,
             domain: str | None = None) -> Finding:
    spec = REGISTRY[rule_id]
    return Finding(rule_id, domain or spec.domain, severity, title, ACCOUNT, "us-east-1",
                   resources if resources is not None else ["r1"], evidence or {}, "fix it",
                   monthly_savings_usd=saving)


# --------------------------------------------------------------------------- the detail pane
def test_detail_shows_every_evidence_field_and_every_resource() -> None:
    arns = [f"arn:aws:elasticloadbalancing:us-east-1:{ACCOUNT}:loadbalancer/app/lb-{i}/{i:016d}" for i in range(9)]
    evidence = {"nat_gateways": 14, "share_pct": 72.8, "azs": ["us-east-1a", "us-east-1b"],
                "per_vpc": {"vpc-1": {"us-east-1a": 1}}, "missing": None, "flag": True,
                "lines": [{"item": "NAT gateway hours", "current_usd": 459.9}]}
    html = finding_detail_html(_finding("NET-007", arns, title="ALBs", evidence=evidence, saving=1234.5))
    for key in evidence:
        assert f"<th>{key}</th>" in html
    assert "72.8" in html and "us-east-1a, us-east-1b" in html and "vpc-1" in html and "459.9" in html
    assert "NAT gateway hours" in html and ">yes<" in html
    assert "Resources (9)" in html
    for arn in arns:  # full ids, not the tails, and all of them
        assert arn in html.replace("<wbr>", "")
    spec = REGISTRY["NET-007"]
    assert spec.best_practice in html and spec.pillar.capitalize() in html
    assert "fix it" in html and "USD 1,234.50 per month" in html and "14,814" in html
    assert "Cost lines" not in html  # no model, no cost section


def test_detail_escapes_names_everywhere() -> None:
    f = _finding("NET-003", [f"nat-{EVIL}"], title=f"title {EVIL}", evidence={EVIL: EVIL, "names": [EVIL]})
    html = finding_detail_html(f)
    assert "<script>alert" not in html
    assert html.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 4
    not_priced = finding_detail_html(_finding("PIP-001", ["p"]))
    assert "None: not a cost finding (Pipeline duration)." in not_priced
    unpriced = next(r for r, s in REGISTRY.items() if s.saving.method == "not_modelled")
    assert "Not quantified (" in finding_detail_html(_finding(unpriced, ["p"]))


def test_cost_lines_matched_and_summed() -> None:
    model = demo_model()
    web = SVC + "web"
    lines = cost_lines_of(_finding("CMP-001", [web]), model)
    ml = model.lines
    current = ml[(ml["scenario"] == "current") & (ml["resource_id"] == web)]
    proposed = ml[(ml["scenario"] == "proposed") & ml["replaces"].astype(str).str.split("|").map(lambda r: web in r)]
    assert len(current) and len(proposed)
    assert sorted(lines.loc[lines["scenario"] == "current", "item"]) == sorted(current["item"])
    assert sorted(lines.loc[lines["scenario"] == "proposed", "item"]) == sorted(proposed["item"])
    totals = cost_totals(lines)
    assert totals["current_usd"] == pytest.approx(current["monthly_usd"].sum(), abs=0.01)
    assert totals["proposed_usd"] == pytest.approx(proposed["monthly_usd"].sum(), abs=0.01)
    assert totals["difference_usd"] == pytest.approx(totals["current_usd"] - totals["proposed_usd"], abs=0.01)
    html = finding_detail_html(_finding("CMP-001", [web]), model)
    assert f"{totals['current_usd']:,.2f}" in html and f"{totals['proposed_usd']:,.2f}" in html
    assert html.count("<tr><td>current</td>") == len(current) and html.count("<tr><td>proposed</td>") == len(proposed)


def test_shared_proposed_lines_count_by_their_share() -> None:
    model = demo_model()
    nats = sorted(r for r in model.lines["resource_id"].astype(str) if r.startswith("nat-prod"))
    one, every = cost_lines_of(_finding(resources=nats[:1]), model), cost_lines_of(_finding(resources=nats), model)
    # the NAT's address is held by it: its line belongs to the finding too
    assert (one["matched"] == "held by / alias of").any() and (one["matched"] == "resource").any()
    shared = one[one["scenario"] == "proposed"]
    assert len(shared) and (shared["share"] < 1).all()
    shares = list(every.loc[every["scenario"] == "proposed", "share"])
    assert shares and shares == pytest.approx([1.0] * len(shares))
    assert cost_totals(one)["proposed_usd"] < cost_totals(every)["proposed_usd"]


def test_no_line_no_model_and_escaped_lines() -> None:
    model = demo_model()
    assert cost_lines_of(_finding(resources=["nothing-here"]), model).empty
    assert "No cost line" in finding_detail_html(_finding(resources=["nothing-here"]), model)
    assert cost_lines_of(_finding(), None).empty
    evil = copy.copy(model)  # the session's model stays untouched
    row = {**model.lines.iloc[0].to_dict(), "resource_id": f"nat-{EVIL}", "item": f"item {EVIL}",
           "monthly_usd": float("nan")}
    evil.lines = pd.concat([model.lines, pd.DataFrame([row])], ignore_index=True)
    html = finding_detail_html(_finding(resources=[f"nat-{EVIL}"]), evil)
    assert "<script>alert" not in html and "item &lt;script&gt;" in html
    assert "unpriced" in html and "1 line(s) have no price" in html
    assert len(model.lines) == len(evil.lines) - 1


# --------------------------------------------------------------------------- full resource lists
def test_every_resource_in_the_findings_table() -> None:
    ids = [f"arn:aws:ec2:us-east-1:{ACCOUNT}:natgateway/nat-{i}" for i in range(12)]
    assert resource_list(ids[:3]) == "nat-0, nat-1, nat-2"
    listed = resource_list(ids)
    assert listed.startswith("12 resources: ") and all(f"nat-{i}" in listed.split(": ", 1)[1].split(", ")
                                                       for i in range(12))
    # two resources with the same short id are told apart by their full ids
    twins = [f"arn:aws:ecs:us-east-1:{ACCOUNT}:service/a/web", f"arn:aws:ecs:us-east-1:{ACCOUNT}:service/b/web"]
    assert resource_list(twins) == ", ".join(twins)
    df = findings_frame([_finding(resources=ids)])
    assert df.loc[0, "Resources"] == listed and "(+" not in df.loc[0, "Resources"]
    html = findings_table([_finding(resources=ids)]).to_html()
    assert all(f"nat-{i}" in html for i in range(12))


# --------------------------------------------------------------------------- the explorer
def _ctx(findings: list[Finding]) -> Any:
    return SimpleNamespace(findings=findings, model=demo_model(),
                           findings_for=lambda d: [f for f in findings if f.domain == d])


def _some() -> list[Finding]:
    return [_finding("NET-003", ["nat-prod000", "nat-prod001"], severity="medium", title="NATs", saving=438.0),
            _finding("CMP-001", [SVC + "web"], severity="high", title="oversized web", saving=10.0),
            _finding("CMP-001", [SVC + "api"], severity="high", title="oversized api", saving=144.0),
            _finding("STK-001", ["stack-a"], severity="low", title="drifted stack"),
            _finding("STK-001", ["stack-b"], severity="info", title=f"security {EVIL}", domain="security")]


def test_static_explorer_is_the_findings_table_of_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(LAB_ENV, raising=False)
    ctx = _ctx(_some())
    got = findings_explorer(ctx, "compute")
    want = findings_table(ctx.findings_for("compute"))
    assert type(got).__name__ == "Styler" and got.data.equals(want.data)
    both = findings_explorer(ctx, ("stacks", "security"))
    assert list(both.data["Finding"]) == ["drifted stack", f"security {EVIL}"]
    assert findings_explorer(ctx, "cdn") == Note("No findings in this area.")
    assert len(findings_explorer(ctx).data) == 5


def test_interactive_explorer_is_a_widget(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import ipywidgets

    monkeypatch.setenv(LAB_ENV, str(tmp_path))
    ctx = _ctx(_some())
    box = findings_explorer(ctx, "compute")
    assert isinstance(box, ipywidgets.VBox)
    assert findings_explorer(ctx, "cdn") == Note("No findings in this area.")
    html = [c for c in box.children if isinstance(c, ipywidgets.HTML)]
    assert any("oversized web" in h.value for h in html)  # the filtered table
    assert any("Cost lines of these resources" in h.value for h in html)  # the first finding's detail


def test_explorer_filters_sorts_and_drills_down() -> None:
    found = _some()
    ex = FindingsExplorer(found, demo_model())
    assert len(ex.select.options) == 5 and ex.count.value == "5 of 5 findings"
    assert [found[i].title for i in ex.visible(order="saving")][:3] == ["NATs", "oversized api", "oversized web"]
    assert [found[i].severity for i in ex.visible()] == ["high", "high", "medium", "low", "info"]
    ex.search.value = "api"  # matches a resource id
    assert [label for label, _ in ex.select.options] == [option_label(found[2])]
    assert (SVC + "api") in ex.detail.value.replace("<wbr>", "") and "oversized api" in ex.table.value
    assert "oversized web" not in ex.table.value
    ex.search.value = "nat-prod001 medium"  # every word must match
    assert ex.count.value == "1 of 5 findings" and "nat-prod001" in ex.detail.value
    ex.search.value = ""
    ex.severity.value = "high"
    assert ex.count.value == "2 of 5 findings"
    ex.search.value = "no such thing"
    assert ex.select.value is None and ex.detail.value == "" and "No findings" in ex.table.value
    ex.search.value, ex.severity.value = "", ""
    ex.select.value = 4
    assert "&lt;script&gt;" in ex.detail.value and "<script>alert" not in ex.detail.value + ex.table.value
    assert option_label(found[0]) == "NET-003 — NATs — nat-prod000 (+1)"


def test_the_pane_is_kept_from_mathjax() -> None:
    from awsassess import escaping

    assert f'class="awsassess-finding {escaping.NO_MATH}"' in finding_detail_html(_finding(title="$5 to $6"))
