"""A small report built without a kernel, for the navigation tests (unique ids, contents, tables, alt text).

The notebooks carry their outputs already (as a run would have left them), so building the report is an
in-process nbconvert export of a second or two. What they hold is what broke on screen: every domain
notebook has a ``## Findings`` and a ``### Details`` heading (nbconvert gave them all the same id), an
in-section link written against nbconvert's id (``[the findings](#Findings)``), a 12-column table of ids,
a table of ARNs and price keys, a 9-column table with long headers, a markdown table, a chart without alt
text, a chart with alt text in its output metadata, a diagram as a markdown image without alt, a failed
notebook and a missing one.
"""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path
from typing import Any

import nbformat
from awsassess.layout import AccountFolder, RunFolder
from awsassess.report.account import portfolio_href
from awsassess.report.export import export_html, report_resources
from awsassess.report.merge import merge_notebooks
from awsassess.report.navigation import NBCONVERT_ALT
from bs4 import BeautifulSoup, Tag

HEADING = re.compile(r"^h[1-6]$")
HIDDEN = {"anchor-link", "subsection-anchor", "screen-only"}
EXTERNAL = re.compile(r"""\b(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", re.I)

#: a 1x1 PNG
PNG_B64 = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
EXPECTED = ["10_networking", "20_compute", "30_pipelines", "40_data_stores", "70_architecture", "80_costs"]
META = {"client": "Acme Trading Ltd", "prepared_by": "Example Consulting", "account_id": "123456789012",
        "environment": "production", "name": "acme-prod", "date": "2026-11-26"}


def table(headers: list[str], rows: list[list[Any]]) -> str:
    head = "".join(f"<th>{h}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{v}</td>" for v in row) + "</tr>" for row in rows)
    return f'<table class="dataframe"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


VPC_TABLE = table(
    ["VPC", "Id", "CIDR", "Default", "AZs", "Public subnets", "Private subnets", "Services", "NAT gateways",
     "Load balancers", "Peerings", "Endpoints"],
    [[f"acme-production-{name}", f"vpc-{i}f218b3b0b859e919", f"10.{i}.0.0/16", "False", 2, 2, 2, 1, 2, 1, 6, 0]
     for i, name in enumerate(["api", "market-data", "notifications", "trading-engine", "wallet"])]
    + [["vpc-c4afb20106cdbf97f", "vpc-c4afb20106cdbf97f", "172.31.0.0/16", "True", 6, 0, 6, 0, 0, 0, 0, 0]])
ARN_TABLE = table(
    ["Severity", "Rule", "Finding", "Resources", "Recommendation", "Effort", "Saving USD/month"],
    [["medium", f"NET-00{i}", "NAT gateway in every AZ of a VPC whose traffic could share one gateway",
      f"arn:aws:ec2:us-east-1:123456789012:natgateway/nat-0{i}a1b2c3d4e5f6a7b8, "
      f"arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/acme-production-api-{i}/50dc6c495c0c9188",
      "Consolidate egress through one NAT gateway per VPC, or through a shared egress VPC behind a transit gateway.",
      "low", f"{i * 32.85:,.2f}"] for i in range(1, 4)])
SENSITIVITY_TABLE = table(
    ["Utilisation target", "Savings Plans", "Compute", "Compute USD/month", "Current USD/month", "Proposed USD/month",
     "Saving USD/month", "Saving %", "Headline"],
    [[f"0.{k}", str(k % 2 == 0), "Fargate arm64", "793.4", "4,110.2", "2,443.7", "1,666.5", "40.5", "False"]
     for k in range(6, 10)])
PRICE_TABLE = table(
    ["Service", "Item", "Region", "USD", "Unit", "Confidence", "Source", "As of"],
    [["AmazonElastiCache", "instance_hour:cache.r6g.large:multi-az", "us-east-1", "0.2630", "per instance-hour",
      "C", "S23 DocumentDB calculator citing the public price page", "2026-10"]])


def _nb(cells: list[nbformat.NotebookNode]) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    params = nbformat.v4.new_code_cell("account_dir = None")
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, *cells]
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            cell.execution_count = i + 1
    return nb


def md(source: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_markdown_cell(source)


def html_out(html: str) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell("view()")
    cell.metadata["tags"] = ["remove-input"]
    cell.outputs = [nbformat.v4.new_output("display_data", data={"text/html": html, "text/plain": "table"})]
    return cell


def png_out(alt: str | None = None) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell("chart()")
    metadata = {"image/png": {"alt": alt}} if alt else {}
    cell.outputs = [nbformat.v4.new_output("display_data", data={"image/png": PNG_B64, "text/plain": "<Figure>"},
                                           metadata=metadata)]
    return cell


def notebooks() -> dict[str, nbformat.NotebookNode]:
    failed = _nb([md("# Data stores"), nbformat.v4.new_code_cell("1/0")])
    failed.cells[-1].outputs = [nbformat.v4.new_output("error", ename="ZeroDivisionError", evalue="division by zero",
                                                       traceback=[])]
    return {
        "10_networking": _nb([
            md("# Networking\n\nHow the VPCs are laid out. See [the findings](#Findings) and [costs](#sec-80-costs)."),
            md("## VPCs and what they hold"), html_out(VPC_TABLE),
            md("## NAT gateways and egress"), png_out(),
            md("### Details\n\nPer gateway."), html_out(PRICE_TABLE),
            md("## Findings"), html_out(ARN_TABLE),
            md("### Details\n\nEvidence."),
        ]),
        "20_compute": _nb([
            md("# Compute"),
            md("## Services, sizes and utilisation"), png_out(alt="p95 CPU by service"), png_out(),
            md("## Findings\n\n| Rule | Resource | Note |\n|---|---|---|\n"
               "| CMP-001 | arn:aws:ecs:us-east-1:123456789012:service/acme-production/trading-engine | right-size |"),
            md("### Details"),
        ]),
        "40_data_stores": failed,
        "70_architecture": _nb([md("# Architecture\n\n## Current\n\n![](../diagrams/current.png)\n")]),
        "80_costs": _nb([md("# Migration plan and costs"), md("## Sensitivity"), html_out(SENSITIVITY_TABLE),
                         md("## Findings"), html_out(ARN_TABLE)]),
    }


def write_account(run_dir: Path, name: str = "acme-prod", run_json: bool = True) -> AccountFolder:
    """An account folder of a run (``run.json`` written when ``run_json``) with the sample notebooks."""
    acct = AccountFolder(run_dir / name)
    acct.notebooks.mkdir(parents=True)
    acct.diagrams.mkdir()
    (acct.diagrams / "current.png").write_bytes(base64.b64decode(PNG_B64))
    for stem, nb in notebooks().items():
        nbformat.write(nb, acct.notebooks / f"{stem}.ipynb")
    if run_json:
        RunFolder(run_dir).run_json.write_text(json.dumps({"run_id": "r1", "accounts": [{"name": name}]}))
    return acct


def build_html(acct: AccountFolder, expected: list[str] | None = None) -> str:
    """The account's report.html, built as build_account_report does it (without the PDF); also written.
    ``expected``: the notebooks that should be there (default: the samples')."""
    merged = merge_notebooks(acct.notebooks, EXPECTED if expected is None else expected)
    rep = report_resources(META, merged, {}, portfolio_href=portfolio_href(acct))
    html = export_html(merged, acct.notebooks, rep)
    acct.report_html.write_text(html, encoding="utf-8")
    return html


COST_COLS = ["scenario", "domain", "item", "resource_id", "region", "quantity", "unit", "unit_price_usd",
             "monthly_usd", "price_source"]


def write_analysis(acct: AccountFolder, current: list[float], proposed: list[float]) -> None:
    """findings.json, costs.csv and model.json as analyze writes them (what the portfolio reads)."""
    import pandas as pd

    rows = [(scenario, d, "item", f"r{i}", "us-east-1", 1, "month", v, v, "S1 (2026-07-20) [A]")
            for scenario, values in (("current", current), ("proposed", proposed))
            for i, (d, v) in enumerate(zip(["network", "compute", "datastores"], values, strict=False))]
    pd.DataFrame(rows, columns=COST_COLS).to_csv(acct.costs_csv, index=False)
    findings = [{"rule_id": f"NET-00{i + 1}", "domain": "network", "severity": sev,
                 "title": f"{acct.name} finding {i}: NAT gateway in every AZ of "
                          f"arn:aws:ec2:us-east-1:123456789012:vpc/vpc-0{i}a1b2c3d4e5f6a7b8",
                 "account_id": "123456789012", "region": "us-east-1", "resource_ids": [f"nat-{i}"], "evidence": {},
                 "recommendation": "fix", "monthly_savings_usd": 100.0 * (i + 1), "effort": "low"}
                for i, sev in enumerate(["high", "medium", "low"])]
    acct.findings_json.write_text(json.dumps(findings))
    acct.model_json.write_text(json.dumps({"summary": {
        "current_monthly_usd": sum(current), "proposed_monthly_usd": sum(proposed),
        "pipeline_now_min": 94.0, "pipeline_predicted_min": 16.0}}))


def write_run(run_dir: Path) -> list[AccountFolder]:
    """A run of two accounts with notebooks, analysis files, built reports and run.json (long names: the
    portfolio's accounts table is as wide as it gets)."""
    names = ["acme-production-trading-platform", "acme-staging"]
    accounts = []
    for name in names:
        acct = write_account(run_dir, name, run_json=False)
        write_analysis(acct, [4000.0, 9000.0, 2500.0], [1500.0, 3800.0, 1700.0])
        accounts.append(acct)
    RunFolder(run_dir).run_json.write_text(json.dumps({
        "run_id": "r1", "status": "ok", "started": "2026-11-26T10:15:00+00:00",
        "accounts": [{"name": n, "account_id": f"12345678901{i}", "environment": ("production", "staging")[i],
                      "status": "ok", "steps": []} for i, n in enumerate(names)], "steps": []}))
    for acct in accounts:
        build_html(acct)
    return accounts


def portfolio_html(run_dir: Path) -> str:
    """The run's portfolio.html as build_portfolio writes it (without the PDF); also written."""
    from awsassess.report.portfolio import portfolio_context, render_portfolio_html

    html = render_portfolio_html(portfolio_context(run_dir, {"client": "Acme Trading Ltd",
                                                             "prepared_by": "Example Consulting"}), links=True)
    RunFolder(run_dir).portfolio_html.write_text(html, encoding="utf-8")
    return html


# ----------------------------------------------------------------------------------------- checks
def assert_ids_unique(soup: BeautifulSoup) -> None:
    ids = [str(el["id"]) for el in soup.find_all(id=True)]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    assert not dupes, f"duplicate ids: {dupes[:10]}"


def assert_contents_land_on_visible_headings(soup: BeautifulSoup) -> int:
    """Every link of the contents page and of the sidebar resolves to exactly one element, a heading or a
    section header, that nothing hides; returns how many links were checked."""
    links = soup.select('nav.contents a[href], nav.sidebar a[href^="#"]')
    assert links
    for a in links:
        href = str(a["href"])
        assert href.startswith("#"), href
        targets = soup.find_all(id=href[1:])
        assert len(targets) == 1, f"{href}: {len(targets)} elements"
        target = targets[0]
        assert HEADING.match(target.name) or (target.name == "header" and "section-head" in target["class"]) \
            or (target.name in ("main", "nav") and href in ("#top", "#contents")), f"{href} -> <{target.name}>"
        for el in [target, *target.parents]:
            if isinstance(el, Tag) and el.name != "[document]":
                assert not HIDDEN & set(el.get("class") or []), f"{href} is inside a hidden .{el.get('class')}"
        assert target.get_text(strip=True), f"{href}: an empty target"
    assert not soup.select(".subsection-anchor"), "a contents placeholder was left"
    return len(links)


def assert_images_described(soup: BeautifulSoup) -> None:
    imgs = soup.find_all("img")
    for img in imgs:
        alt = " ".join(str(img.get("alt") or "").split())
        assert alt and alt != NBCONVERT_ALT, f"no alt text: {str(img)[:120]}"


def assert_nothing_from_the_network(html: str, soup: BeautifulSoup) -> None:
    assert soup.find("script") is None and soup.find("link") is None and soup.find("iframe") is None
    assert not EXTERNAL.search(html)
    # no MathJax or RequireJS loaded (the outputs' class mathjax_ignore only tells a notebook's MathJax to keep off)
    lowered = re.sub(r"mathjax_ignore|tex2jax_ignore", "", html.lower())
    for word in ("mathjax", "require.js", "requirejs", "cdnjs", "@import"):
        assert word not in lowered, word
    assert all(str(img.get("src", "")).startswith("data:image/") for img in soup.find_all("img"))
