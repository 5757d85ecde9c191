"""The client report: executed notebooks -> report.html (self-contained, escaped) -> report.pdf.

The fixture builds one account folder the way a run does: a snapshot on disk (built with
``snapshots_factory.SnapshotBuilder``: three peered VPCs with a NAT gateway per AZ, over-provisioned
Fargate services, a service too small to bootstrap, an RDS instance, a slow pipeline with an uncached
docker build, a Cost Explorer bill, coverage gaps), costs.csv / model.json written from the same live
analysis the notebooks compute, a diagram PNG, and notebooks executed by papermill with a real kernel
(the suite's own 00_summary and 90_appendix, plus tiny domain notebooks, one of which fails).

Every figure the tests expect is derived from that analysis (:func:`awsassess.notebook.analysis_for`,
the call behind the notebooks' ``ctx.results``), never hard-coded. AWS strings are hostile: the staging
kyc VPC's Name tag is ``<script>alert(1)</script>``, as in the simulated estate; a Fargate service name
carries ``<img src=x onerror="alert(2)">`` into finding titles and cost lines; a coverage message
carries the script tag.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import nbformat
import pandas as pd
import papermill as pm
import pytest
from awsassess.assumptions import resolve
from awsassess.model import write_model
from awsassess.notebook import analysis_for
from awsassess.report import ReportError, build_account_report
from awsassess.report.merge import merge_notebooks
from awsassess.report.pdf import PdfError, find_chromium, html_to_pdf
from awsassess.snapshot import Snapshot
from bs4 import BeautifulSoup
from paths import REPO
from snapshots_factory import SnapshotBuilder

REPO = REPO
XSS = "<script>alert(1)</script>"
XSS_IMG = '<img src=x onerror="alert(2)">'
ACCOUNT = "111111111111"

pytestmark = pytest.mark.timeout(180)

# --------------------------------------------------------------------------------------- fixtures
VPC_NAMES = ["fintech-staging-web", "fintech-staging-api", XSS]  # the XSS VPC last: NETWORKING shows it
SERVICES = {"web": 0, "api": 1, f"kyc {XSS_IMG}": 2}  # over-provisioned Fargate service -> its VPC
AZS = ("us-east-1a", "us-east-1b")
COVERAGE = [  # service, operation, region, status, message, items
    ("ec2", "DescribeVpcs", "us-east-1", "ok", "", 3),
    ("ecs", "DescribeServices", "us-east-1", "ok", "", 4),
    ("cloudfront", "ListDistributions", "global", "access_denied", f"AccessDenied for {XSS}", 0),
    ("ecs", "ListClusters", "eu-west-1", "opt_in_required", "region not enabled", 0),
]
STAGES = [{"name": "Source", "actions": [{"name": "Source", "category": "Source",
                                          "provider": "CodeStarSourceConnection", "run_order": 1}]},
          {"name": "Build", "actions": [{"name": "Build", "category": "Build", "provider": "CodeBuild", "run_order": 1}]},
          {"name": "Deploy", "actions": [{"name": "Deploy", "category": "Deploy", "provider": "CodeDeployToECS",
                                          "run_order": 1}]}]


def money(v: float) -> str:
    return f"${v:,.0f}"


def build_snapshot() -> Snapshot:
    """A small staging account on which the rules fire and the model prices current vs proposed."""
    b = SnapshotBuilder(ACCOUNT, "staging", name="fintech-staging", regions=["us-east-1", "eu-west-1"],
                        collected_at=datetime(2026, 11, 26, 10, tzinfo=UTC))
    # network: three small peered VPCs, a NAT gateway per AZ in each (NET-001, NET-003); the kyc VPC's
    # NAT gateways have no byte metrics, so their data processing stays unpriced
    for i, name in enumerate(VPC_NAMES):
        vpc = f"vpc-{i}"
        b.vpc(vpc, name, cidr=f"10.{i}.0.0/16", tags={"Name": name})
        for k, az in enumerate(AZS):
            b.subnet(f"subnet-{i}{k}", vpc, az, public=True)
            b.subnet(f"subnet-{i}{k}p", vpc, az)
            nat = f"nat-{i}{k}"
            b.add("nat_gateways", nat_gateway_id=nat, vpc_id=vpc, subnet_id=f"subnet-{i}{k}", az=az,
                  state="available", connectivity_type="public", public_ip=f"3.0.{i}.{k}")
            if name != XSS:
                for metric in ("BytesOutToDestination", "BytesOutToSource"):
                    b.metric("AWS/NATGateway", metric, nat, [2e8] * 14 * 24, stat="Sum", dims={"NatGatewayId": nat})
        if i:
            b.add("vpc_peerings", peering_id=f"pcx-{i}", requester_vpc_id="vpc-0", accepter_vpc_id=vpc,
                  status="active")
    # compute: Fargate services at 9% CPU (CMP-001), one too small to start (CMP-005, CMP-006)
    for svc, i in SERVICES.items():
        b.fargate_service(svc, cpu=1024, memory=2048, desired=2, subnets=[f"subnet-{i}0p"])
        b.ecs_utilisation(svc, 9.0, 20.0)
    b.fargate_service("wallet", cpu=512, memory=1024, subnets=["subnet-00p"])
    for k in range(4):
        b.add("stopped_tasks", task_arn=f"arn:task/{k}", cluster="main", group="service:wallet",
              started_at=b.at(days=1 + k), stopped_at=b.at(days=1 + k, minutes=-3),
              stop_code="ServiceSchedulerInitiated", stopped_reason="Task failed ELB health checks in (target-group x)",
              health_status="UNHEALTHY", container_exit_codes={"wallet": 137})
    hot = {24 * (1 + k) for k in range(4)}  # hourly Maximum CPU: pinned at 100% around each start
    b.metric("AWS/ECS", "CPUUtilization", "wallet", lambda h: 100.0 if (14 * 24 - h) in hot else 40.0,
             stat="Maximum", dims={"ClusterName": "main", "ServiceName": "wallet"}, hours=14 * 24)
    # data stores: an RDS instance whose class has only a secondary-source (C) price
    b.add("db_instances", db_instance_id="ledger-db", engine="postgres", engine_version="16.4",
          instance_class="db.m6g.large", multi_az=False, storage_type="gp3", allocated_gb=100,
          publicly_accessible=False, status="available", cluster_id="")
    # pipelines: ~90 min from commit to production, an uncached docker build, a 60-minute blue/green wait
    b.add("pipelines", name="web-pipeline", pipeline_type="V1", stages=STAGES, stage_count=3)
    b.add("build_projects", name="web-build", compute_type="BUILD_GENERAL1_MEDIUM", docker_build=True,
          privileged_mode=True, cache_type="NO_CACHE", cache_modes=[], buildspec_layer_cache=False)
    b.add("deployment_groups", application="AppECS-web", group="DgpECS-web", compute_platform="ECS",
          deployment_type="BLUE_GREEN", termination_wait_min=60, ecs_services=["main/web"])
    for k in range(5):
        t = start = b.at(days=1 + k)
        for stage, secs in (("Source", 45), ("Build", 1500), ("Deploy", 3900)):
            b.add("pipeline_action_executions", pipeline="web-pipeline", execution_id=f"web-{k}", stage=stage,
                  action=stage, category=stage, status="Succeeded", start=t, end=t + timedelta(seconds=secs),
                  duration_s=secs)
            t += timedelta(seconds=secs)
        b.add("pipeline_executions", pipeline="web-pipeline", execution_id=f"web-{k}", status="Succeeded",
              start=start, end=t, duration_s=(t - start).total_seconds())
        b.add("builds", project="web-build", build_id=f"web-build:{k}", status="SUCCEEDED", start=b.at(days=1 + k),
              end=b.at(days=1 + k) + timedelta(seconds=1500), duration_s=1500,
              phases={"PROVISIONING": 95, "BUILD": 1020, "POST_BUILD": 210})
        b.add("deployments", deployment_id=f"d-{k}", application="AppECS-web", group="DgpECS-web",
              status="Succeeded", start=b.at(days=1 + k), duration_s=3900)
    # the bill (Cost Explorer), reconciled with the model
    for month, usd in (("2026-09", 700.0), ("2026-10", 720.0)):
        b.add("spend", region="global", month=month, service="Amazon Virtual Private Cloud", usd=usd)
    for service, operation, region, status, message, items in COVERAGE:
        b.add("coverage", region=region, service=service, operation=operation, status=status, message=message,
              calls=1, items=items, duration_s=0.1)
    return b.build()


def live_analysis(account_dir: Path) -> tuple[list[Any], Any]:
    """(findings, cost model) of the account's snapshot under the default assumptions: what the notebooks'
    ``open_context(snapshot_dir, account_dir, {})`` computes for ``ctx.results``."""
    return analysis_for(Snapshot.load(account_dir / "snapshot"), resolve({}))


def write_outputs(account_dir: Path) -> None:
    """costs.csv and model.json of the live analysis (so the files delivered and the report agree; no
    findings files: the appendix lists only what exists), and a diagram PNG."""
    _, model = live_analysis(account_dir)
    write_model(model, account_dir)
    from matplotlib.figure import Figure

    fig = Figure(figsize=(4, 2.5), dpi=80)
    ax = fig.add_subplot()
    ax.plot([0, 1, 2], [2, 1, 3])
    ax.set_title("current architecture")
    (account_dir / "diagrams").mkdir(exist_ok=True)
    fig.savefig(account_dir / "diagrams" / "current.png")


def tiny_notebook(cells: list[tuple[str, str, list[str]]]) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    params = nbformat.v4.new_code_cell("snapshot_dir = None\naccount_dir = None\nassumptions = {}")
    params.metadata["tags"] = ["parameters"]
    nb.cells.append(params)
    for kind, src, tags in cells:
        cell = nbformat.v4.new_markdown_cell(src) if kind == "md" else nbformat.v4.new_code_cell(src)
        cell.metadata["tags"] = tags
        nb.cells.append(cell)
    return nb


NETWORKING = tiny_notebook([
    ("md", "# Networking\n\nEvery VPC of the account, with its **Name** tag.", []),
    ("code", "import pandas as pd\nfrom IPython.display import HTML\n"
             "df = pd.read_csv(account_dir + '/costs.csv', usecols=range(10))\n"
             "df['note'] = 'x'; df['owner'] = 'platform'\n"
             "HTML(df.to_html(index=False, escape=True))", ["remove-input"]),
    ("code", "import pandas as pd\nfrom awsassess.snapshot import Snapshot\nsnap = Snapshot.load(snapshot_dir)\n"
             "SECRET_CODE_MARKER = 1", ["remove-cell"]),
    ("code", "from IPython.display import HTML\n"
             "HTML(snap.table('vpcs')[['vpc_id', 'name', 'cidr']].to_html(index=False, escape=True))", ["remove-input"]),
    ("md", "## Careless output", []),
    ("code", "import warnings; warnings.warn('STDERR_WARNING_MARKER')\n"
             "HTML('<b>unescaped: ' + snap.table('vpcs')['name'].iloc[-1] + '</b>')", ["remove-input"]),
    ("code", "print('PRINTED_MARKER')", []),
    ("code", "from IPython.display import Markdown\nMarkdown('md output: ' + snap.table('vpcs')['name'].iloc[-1])",
     ["remove-input"]),
])
COMPUTE_FAILS = tiny_notebook([
    ("md", "# Compute", []),
    ("code", "raise RuntimeError('TRACEBACK_MARKER: collector data missing')", []),
])
# markdown only: nothing to execute, written as is (papermill would only add metadata)
ARCHITECTURE = tiny_notebook([
    ("md", "# Architecture diagrams\n\n## Current\n\n![current architecture](../diagrams/current.png)\n\n"
           "Outside the account folder, not inlined: ![x](../../secret.png)", []),
])


def run_notebook(src: nbformat.NotebookNode | Path, out: Path, account_dir: Path) -> None:
    nb = src if isinstance(src, nbformat.NotebookNode) else nbformat.read(src, as_version=4)
    try:
        pm.execute_notebook(nb, str(out), parameters={"snapshot_dir": str(account_dir / "snapshot"),
                                                      "account_dir": str(account_dir), "assumptions": {}},
                            cwd=str(out.parent), progress_bar=False, log_output=False, kernel_name="python3",
                            execution_timeout=120)
    except pm.PapermillExecutionError:
        pass  # the failed notebook is still written, marked failed: that is what the report must handle


EXPECTED = ["00_summary", "10_networking", "20_compute", "30_pipelines", "70_architecture", "90_appendix"]


@pytest.fixture(scope="module")
def account_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    acct = tmp_path_factory.mktemp("run") / "fintech-staging"
    (acct / "notebooks").mkdir(parents=True)
    build_snapshot().save(acct / "snapshot")
    write_outputs(acct)
    (acct.parent / "secret.png").write_bytes((acct / "diagrams" / "current.png").read_bytes())
    nbformat.write(ARCHITECTURE, acct / "notebooks" / "70_architecture.ipynb")
    nbs = {"00_summary": REPO / "notebooks" / "00_summary.ipynb", "10_networking": NETWORKING,
           "20_compute": COMPUTE_FAILS, "90_appendix": REPO / "notebooks" / "90_appendix.ipynb"}
    with ThreadPoolExecutor(2) as pool:  # real kernels, two at a time (2 cores)
        list(pool.map(lambda kv: run_notebook(kv[1], acct / "notebooks" / f"{kv[0]}.ipynb", acct), nbs.items()))
    for stem in ("00_summary", "90_appendix"):
        nb = nbformat.read(acct / "notebooks" / f"{stem}.ipynb", as_version=4)
        assert not nb.metadata.papermill.get("exception"), f"{stem} failed in the fixture: " + json.dumps(
            [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"])[:2000]
    return acct


@pytest.fixture(scope="module")
def analysis(account_dir: Path) -> tuple[list[Any], Any]:
    """The live analysis the summary and the appendix show, computed here in the test process."""
    return live_analysis(account_dir)


@pytest.fixture(scope="module")
def totals(analysis: tuple[list[Any], Any]) -> tuple[float, float]:
    """(current, proposed) monthly USD of the live cost model."""
    _, model = analysis
    return model.total("current"), model.total("proposed")


META = {"client": "Acme <Trading> Ltd", "prepared_by": "Example Consulting", "account_id": ACCOUNT,
        "environment": "staging", "name": "fintech-staging", "date": "2026-11-26"}


LOGO = ('<svg xmlns="http://www.w3.org/2000/svg" width="120" height="32"><rect width="120" height="32" fill="#0a7"/>'
        '<text x="8" y="22" font-size="16" fill="#fff">LOGO</text></svg>')


@pytest.fixture(scope="module")
def report(account_dir: Path) -> dict[str, Path]:
    logo = account_dir.parent / "logo.svg"
    logo.write_text(LOGO)
    return build_account_report(account_dir, {**META, "logo": str(logo)}, expected=EXPECTED, pdf_engine="chromium")


@pytest.fixture(scope="module")
def html(report: dict[str, Path]) -> str:
    return report["html"].read_text()


def section_html(html: str, anchor: str) -> str:
    """The HTML from section ``anchor``'s header to the next section header."""
    soup = BeautifulSoup(html, "html.parser")
    head = soup.find("header", id=anchor)
    assert head is not None, anchor
    parts = []
    for sib in head.next_siblings:
        if getattr(sib, "name", None) == "header" and "section-head" in (sib.get("class") or []):
            break
        parts.append(str(sib))
    return "".join(parts)


# ------------------------------------------------------------------------------------------ tests
def test_sections_in_order_with_contents(html: str) -> None:
    soup = BeautifulSoup(html, "html.parser")
    heads = soup.select("header.section-head")
    assert [h.h1.get_text() for h in heads] == [
        "Executive summary", "Networking", "Compute", "Delivery pipelines", "Architecture diagrams",
        "Assumptions, price sources and appendix"]
    assert [h.select_one(".section-number").get_text() for h in heads] == [f"Section {i}" for i in range(1, 7)]
    contents = soup.select_one("nav.contents")
    links = {a["href"] for a in contents.find_all("a")}
    for h in heads:
        assert f"#{h['id']}" in links
    # second-level headings are in the contents and their anchors exist
    for sub in ("Largest savings", "Key risks", "Where the money goes", "Assumptions", "Price sources", "Inventory",
                "Coverage: what could not be read", "Careless output", "Current"):
        a = contents.find("a", string=sub)
        assert a is not None, sub
        assert soup.find(id=a["href"][1:]) is not None, sub
    cover = soup.select_one("section.cover")
    text = cover.get_text(" ")
    for fact in ("Acme <Trading> Ltd", "Example Consulting", ACCOUNT, "Staging", "fintech-staging",
                 "26 November 2026", "us-east-1, eu-west-1"):
        assert fact in text, fact
    assert "Acme &lt;Trading&gt; Ltd" in str(cover)
    assert cover.select_one(".logo img")["src"].startswith("data:image/svg+xml;base64,")  # inlined, not linked


def test_failed_and_missing_notebooks_are_listed_not_published(html: str) -> None:
    assert "TRACEBACK_MARKER" not in html.split('id="sec-20-compute"')[0]
    compute = section_html(html, "sec-20-compute")
    assert "could not be produced" in compute and "notebooks/20_compute.ipynb" in compute
    assert "Traceback" not in html and "raise RuntimeError" not in html
    assert "was not run" in section_html(html, "sec-30-pipelines")
    assert "state-failed" in html and "state-missing" in html
    assert "2 of 6 parts of this assessment are not included" in html


def test_no_code_no_parameters_no_warnings(html: str) -> None:
    for marker in ("SECRET_CODE_MARKER", "snapshot_dir =", "assumptions = {}", "open_context", "import pandas",
                   "STDERR_WARNING_MARKER", "jp-InputArea", "In&nbsp;[", "papermill"):
        assert marker not in html, marker
    assert "PRINTED_MARKER" in html  # stdout of a visible cell is kept


def test_self_contained_nothing_from_http(html: str) -> None:
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", html, re.I)
    soup = BeautifulSoup(html, "html.parser")
    assert soup.find("script") is None and soup.find("link") is None and soup.find("iframe") is None
    srcs = [img.get("src", "") for img in soup.find_all("img")]
    assert len(srcs) >= 2  # cost chart (kernel output), diagram (markdown image, inlined)
    assert all(s.startswith(("data:image/png;base64,", "data:image/svg+xml;base64,")) for s in srcs if s), [s[:40] for s in srcs]
    arch = section_html(html, "sec-70-architecture")
    assert 'alt="current architecture" src="data:image/png' in arch
    # a file outside the account folder is never pulled in
    assert not re.search(r'<img[^>]*alt="x"[^>]*src="data:', arch)


def test_aws_strings_are_escaped(html: str) -> None:
    assert XSS not in html and XSS_IMG not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    # careless notebook output, markdown output, finding titles and coverage messages all end up as text
    assert "unescaped: &lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert re.search(r"md output: &lt;script&gt;.*alert\(1\)", html)  # raw HTML in markdown: escaped too
    assert "AccessDenied for &lt;script&gt;alert(1)&lt;/script&gt;" in html
    # the service name reaches the summary through the live analysis (finding titles, resources)
    summary = section_html(html, "sec-00-summary")
    assert "kyc &lt;img src=x onerror=" in summary
    assert "kyc <img src=x onerror=" in BeautifulSoup(summary, "html.parser").get_text(" ")  # shown as text
    soup = BeautifulSoup(html, "html.parser")
    assert soup.find("script") is None
    assert not [t for t in soup.find_all(True) if any(a.lower().startswith("on") for a in t.attrs)]


def test_executive_summary_headline_figures(html: str, analysis: tuple[list[Any], Any],
                                            totals: tuple[float, float]) -> None:
    findings, model = analysis
    current, proposed = totals
    s = model.summary
    assert current > proposed > 0 and s["pipeline_now_min"] and s["bill_monthly_usd"]  # the fixture has content
    summary = BeautifulSoup(section_html(html, "sec-00-summary"), "html.parser").get_text(" ")
    for figure in (money(current), money(proposed), money(current - proposed),
                   f"{(current - proposed) / current * 100:.0f}%", f"{s['pipeline_now_min']:.0f} min",
                   f"{s['pipeline_predicted_min']:.0f} min", f"{len(findings)} findings",
                   f"accounts for {s['bill_explained_pct']:.0f}% of the {money(s['bill_monthly_usd'])}"):
        assert figure in summary, figure
    # largest savings: larger savings first (findings with a saving that made the table)
    top = summary.split("Largest savings", 1)[1].split("Key risks", 1)[0]
    priced = sorted((f for f in findings if (f.monthly_savings_usd or 0) > 0), key=lambda f: -f.monthly_savings_usd)
    assert len({f.monthly_savings_usd for f in priced}) >= 3
    assert priced[0].title in top
    shown = [(f.monthly_savings_usd, top.index(f.title)) for f in priced if f.title in top]
    assert len(shown) >= 3
    assert all(pos_a < pos_b for sav_a, pos_a in shown for sav_b, pos_b in shown if sav_a > sav_b), shown
    assert any(f.title.startswith(f"kyc {XSS_IMG}") for f in priced if f.title in top)
    # key risks: high and medium findings without a saving, never one that carries a saving
    risks = summary.split("Key risks", 1)[1].split("Where the money goes", 1)[0]
    risky = [f for f in findings if f.severity in ("high", "medium") and not (f.monthly_savings_usd or 0) > 0]
    assert len({f.rule_id for f in risky}) == len(risky) >= 3  # one finding per rule: every one is listed
    for f in risky:
        assert f.title in risks, f.title
    for f in priced:
        assert f.title not in risks, f.title


def test_appendix_coverage_prices_assumptions(html: str, analysis: tuple[list[Any], Any]) -> None:
    _, model = analysis
    section = BeautifulSoup(section_html(html, "sec-90-appendix"), "html.parser")
    appendix = section.get_text(" ")
    assert "ListDistributions" in appendix and "access denied" in appendix and "opt in required" in appendix
    ok = sum(1 for row in COVERAGE if row[3] == "ok")
    assert f"{ok} of {len(COVERAGE)} read-only API calls returned data" in appendix
    # prices to confirm: the items priced below confidence A, and no item priced only at A
    lines = model.lines
    grade = lines["confidence"].astype(str)
    low_items = set(lines.loc[grade != "A", "item"])
    a_only = set(lines.loc[grade == "A", "item"]) - low_items
    assert low_items and a_only and "C" in set(grade)
    confirm = section.find("h3", string="Prices to confirm").find_next("table")
    listed = {tr.find("td").get_text(strip=True) for tr in confirm.select("tbody tr")}
    assert listed == low_items, (listed, low_items)
    assert "Cost model" in appendix and "Rule thresholds" in appendix  # assumptions
    assert model.unpriced and "Not priced" in appendix
    not_priced = appendix.split("Not priced", 1)[1].split("Prices to confirm", 1)[0]
    for u in model.unpriced:
        assert u["item"] in not_priced and u["resource_id"] in not_priced, u
    assert "VPCs" in appendix and "Subnets" in appendix  # inventory
    # deliverables: the files that exist (the fixture writes costs.csv, model.json and a diagram, no findings)
    delivered = section.find("p", string=re.compile("Delivered with this report")).find_next("ul")
    assert [li.get_text(strip=True) for li in delivered.find_all("li")] == [
        "costs.csv", "model.json", "diagrams/current.png"]
    assert "findings.csv" not in appendix and "findings.json" not in appendix


def test_wide_tables_get_a_smaller_print_font(html: str) -> None:
    assert "celltag_wide" in section_html(html, "sec-10-networking")  # 12 columns: 7 pt on a landscape page


def test_pdf_pages_and_headline_text(report: dict[str, Path], totals: tuple[float, float]) -> None:
    current, proposed = totals
    pdf = report["pdf"]
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert pages >= 8  # cover, contents, 6 sections each on a new page
    assert re.search(r"Page size:\s+59[45]\.\d+ x 841\.\d+", info)  # A4
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    for figure in (money(current), money(proposed), money(current - proposed)):
        assert figure in text, figure
    assert f"Page 2 of {pages}" in text
    assert "file://" not in text and str(pdf.parent) not in text  # no Chromium header/footer with the path
    raw = pdf.read_bytes()
    assert b"file://" not in raw and str(pdf.parent).encode() not in raw  # links stay inside the document
    assert b"/GoTo" in raw or b"/Dest" in raw  # the contents page links to its sections
    assert "<script>alert(1)</script>" in text  # the AWS string printed as text, not executed


def test_weasyprint_fallback(report: dict[str, Path], totals: tuple[float, float], tmp_path: Path) -> None:
    out = tmp_path / "report.pdf"
    assert html_to_pdf(report["html"], out, engine="weasyprint") == "weasyprint"
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
    assert money(totals[0]) in text and "Executive summary" in text
    info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True, check=True).stdout
    assert int(re.search(r"Pages:\s+(\d+)", info).group(1)) >= 8


def test_auto_falls_back_to_weasyprint_without_chromium(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    page = tmp_path / "p.html"
    page.write_text("<html><body><h1>Fallback page</h1><p>$1,234</p></body></html>")
    monkeypatch.setenv("AWSASSESS_CHROMIUM", str(tmp_path / "no-such-chromium"))
    assert find_chromium() is None
    assert html_to_pdf(page, tmp_path / "r.pdf") == "weasyprint"
    text = subprocess.run(["pdftotext", str(tmp_path / "r.pdf"), "-"], capture_output=True, text=True).stdout
    assert "Fallback page" in text and "$1,234" in text
    with pytest.raises(PdfError, match="no Chromium found"):
        html_to_pdf(page, tmp_path / "r2.pdf", engine="chromium")
    monkeypatch.setenv("AWSASSESS_PDF_ENGINE", "latex")
    with pytest.raises(PdfError, match="unknown.*AWSASSESS_PDF_ENGINE"):
        html_to_pdf(page, tmp_path / "r3.pdf")


@pytest.mark.skipif(not find_chromium(), reason="no Chromium")
def test_chromium_screenshot_of_cover(report: dict[str, Path], tmp_path: Path) -> None:
    from PIL import Image

    png = tmp_path / "cover.png"
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run([find_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                        "--disable-background-networking", "--disable-component-update", "--disable-sync",
                        f"--user-data-dir={profile}", "--hide-scrollbars", "--window-size=1200,1500",
                        f"--screenshot={png}", report["html"].resolve().as_uri()],
                       capture_output=True, timeout=90, check=True)
    img = Image.open(png).convert("RGB")
    assert img.size == (1200, 1500)
    # our stylesheet applied: page background, the cover's brand band, dark title text on white
    assert img.getpixel((5, 700)) == (0xE9, 0xED, 0xF2)
    assert img.getpixel((600, 30)) == (0x12, 0x35, 0x5B)
    assert len(img.getcolors(1 << 20)) > 200  # text anti-aliasing: a rendered page, not a blank one


def test_nothing_publishable_is_a_clear_error(tmp_path: Path) -> None:
    acct = tmp_path / "acct"
    with pytest.raises(ReportError, match="notebooks.*does not exist"):
        build_account_report(acct, {})
    (acct / "notebooks").mkdir(parents=True)
    with pytest.raises(ReportError, match="no executed notebook can be published"):
        build_account_report(acct, {}, expected=["10_networking"])
    with pytest.raises(ReportError, match="unknown key"):
        build_account_report(acct, {"customer": "x"})
    nb = tiny_notebook([("md", "# Networking\n\nok", [])])
    nbformat.write(nb, acct / "notebooks" / "10_networking.ipynb")
    with pytest.raises(ReportError, match="report.logo.*does not exist"):
        build_account_report(acct, {"logo": str(tmp_path / "nope.png")}, expected=[], pdf=False)


def test_merge_orders_by_prefix_and_drops_tagged_cells(account_dir: Path) -> None:
    merged = merge_notebooks(account_dir / "notebooks", ["30_pipelines"])
    assert [s.stem for s in merged.sections] == ["00_summary", "10_networking", "20_compute", "30_pipelines",
                                                 "70_architecture", "90_appendix"]
    assert [s.status for s in merged.sections] == ["ok", "ok", "failed", "missing", "ok", "ok"]
    assert "TRACEBACK_MARKER" in merged.sections[2].reason
    for cell in merged.notebook.cells:
        tags = set(cell.metadata.get("tags", []))
        assert not tags & {"parameters", "injected-parameters", "remove-cell"}
        for out in cell.get("outputs", []):
            assert out.get("name") != "stderr" and out.get("output_type") != "error"


def test_table_width_decides_print_layout(tmp_path: Path) -> None:
    def table(cols: int) -> str:
        head = "".join(f"<th>c{i}</th>" for i in range(cols))
        return f"<table><thead><tr>{head}</tr></thead><tbody><tr>{'<td>1</td>' * cols}</tr></tbody></table>"

    nb = tiny_notebook([("md", "# Tables", [])])
    for cols in (6, 11, 16):
        cell = nbformat.v4.new_code_cell(f"display(t{cols})")
        cell.outputs = [nbformat.v4.new_output("display_data", data={"text/html": table(cols)})]
        nb.cells.append(cell)
    (tmp_path / "notebooks").mkdir()
    nbformat.write(nb, tmp_path / "notebooks" / "10_tables.ipynb")
    merged = merge_notebooks(tmp_path / "notebooks")
    tags = [c.metadata.get("tags", []) for c in merged.notebook.cells if c.cell_type == "code"]
    assert tags == [[], ["dense"], ["wide"]]


@pytest.mark.heavy
def test_real_demo_output_publishes(tmp_path: Path, demo_cli_run: tuple[Path, Any]) -> None:
    """The report built from the session's `awsassess demo` account folder (copied; the run is left untouched)."""
    run, proc = demo_cli_run
    found = sorted(run.glob("*/notebooks/00_summary.ipynb"))
    assert found, proc.stderr[-3000:]
    src = found[0].parents[1]
    acct = tmp_path / src.name
    shutil.copytree(src, acct, ignore=shutil.ignore_patterns("report.*", "raw"))
    out = build_account_report(acct, {"client": "Demo <client>", "name": src.name}, pdf=False)
    html = out["html"].read_text()
    soup = BeautifulSoup(html, "html.parser")
    assert soup.find("script") is None
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", html, re.I)
    assert XSS not in html  # the staging kyc VPC Name of the simulated estate, if this is that account
    costs = pd.read_csv(acct / "costs.csv")
    current = costs.loc[costs["scenario"] == "current", "monthly_usd"].sum()
    summary = BeautifulSoup(section_html(html, "sec-00-summary"), "html.parser").get_text(" ")
    assert money(current) in summary
    for nb in sorted((acct / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        assert soup.find("header", id="sec-" + nb.stem.lower().replace("_", "-")) is not None, nb.stem


def test_sanitiser_keeps_inline_images_and_still_escapes_around_them() -> None:
    from awsassess.report.sanitize import clean_html

    png = "data:image/png;base64," + "iVBORw0KGgo" * 2000 + "=="
    html = (f'<figure><img alt="d" src="{png}"/><figcaption>{XSS}</figcaption></figure>'
            f'<img src="data:image/svg+xml;base64,PHN2Zz4="/><a href="javascript:alert(1)">x</a>')
    out = clean_html(html)
    assert f'src="{png}"' in out
    assert "<script>" not in out and "&lt;script&gt;alert(1)&lt;/script&gt;" in out
    assert 'src="data:image/svg+xml;base64,PHN2Zz4="' in out  # an SVG as <img> runs no script
    assert "javascript:" not in out
