"""The client report: executed notebooks -> report.html (self-contained, escaped) -> report.pdf.

The fixture builds one account folder the way a run does: a snapshot on disk, fake-but-valid
findings.json / costs.csv / model.json, a diagram PNG, and notebooks executed by papermill with a
real kernel (the suite's own 00_summary and 90_appendix, plus tiny domain notebooks, one of which
fails). The staging kyc VPC's Name tag carries ``<script>alert(1)</script>``, as in the simulated estate.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pandas as pd
import papermill as pm
import pytest
from awsassess.report import ReportError, build_account_report
from awsassess.report.merge import merge_notebooks
from awsassess.report.pdf import PdfError, find_chromium, html_to_pdf
from awsassess.snapshot import Snapshot, empty_frame
from bs4 import BeautifulSoup

REPO = Path(__file__).resolve().parents[1]
XSS = "<script>alert(1)</script>"
XSS_IMG = '<img src=x onerror="alert(2)">'
ACCOUNT = "111111111111"

pytestmark = pytest.mark.timeout(180)

# --------------------------------------------------------------------------------------- fixtures
FINDINGS = [
    {"rule_id": "network.nat_per_az", "domain": "network", "severity": "high",
     "title": "One NAT gateway per AZ in every VPC", "account_id": ACCOUNT, "region": "us-east-1",
     "resource_ids": ["nat-0a1", "nat-0a2", "nat-0b1", "nat-0b2"], "evidence": {"nat_gateways": 4},
     "recommendation": "Consolidate VPCs and share NAT gateways", "monthly_savings_usd": 1312.5, "effort": "medium"},
    {"rule_id": "compute.fargate_overprovisioned", "domain": "compute", "severity": "medium",
     "title": "Fargate tasks sized far above their use", "account_id": ACCOUNT, "region": "us-east-1",
     "resource_ids": ["web", "api"], "evidence": {"cpu_p95": 14}, "recommendation": "Move to ECS on EC2",
     "monthly_savings_usd": 845.25, "effort": "high"},
    {"rule_id": "compute.bootstrap_starved", "domain": "compute", "severity": "high",
     "title": f"Tasks of {XSS_IMG} fail health checks during start-up", "account_id": ACCOUNT,
     "region": "us-east-1", "resource_ids": [f"kyc {XSS}"], "evidence": {},
     "recommendation": f"Raise the CPU of {XSS} or the health-check grace period", "monthly_savings_usd": None,
     "effort": "low"},
    {"rule_id": "pipelines.no_layer_cache", "domain": "pipelines", "severity": "medium",
     "title": "Docker builds without layer cache", "account_id": ACCOUNT, "region": "us-east-1",
     "resource_ids": ["build-web"], "evidence": {}, "recommendation": "Enable a registry build cache",
     "monthly_savings_usd": None, "effort": "low"},
    {"rule_id": "cdn.price_class", "domain": "cdn", "severity": "low", "title": "Price class All",
     "account_id": ACCOUNT, "region": "global", "resource_ids": ["E123"], "evidence": {},
     "recommendation": "Use PriceClass_100", "monthly_savings_usd": 40.0, "effort": "low"},
]
COSTS = [
    # scenario, domain, item, resource_id, region, quantity, unit, unit_price_usd, monthly_usd, price_source
    ("current", "network", "nat_gateway_hour", "nat-0a1", "us-east-1", 2920, "hour", 0.045, 131.40,
     "S3 infracost golden nat_gateway; S4-vpc AWS VPC pricing page (2024-07-01) [A]"),
    ("current", "network", "nat_gateway_gb", "nat-0a1", "us-east-1", 900, "GB", 0.045, 40.50,
     "S3 infracost golden nat_gateway (2024-07-01) [A]"),
    ("current", "compute", "fargate_vcpu_hour", "svc/web", "us-east-1", 2190, "vCPU-hour", 0.04048, 88.65,
     "S1 karpenter generated pricing (2026-07-20) [A]"),
    ("current", "datastores", "rds:db.t3.large", "db-main", "us-east-1", 730, "hour", 0.145, 105.85,
     "S4 transcription of the RDS page (2026-09-20) [C]"),
    ("proposed", "network", "nat_gateway_hour", "nat-shared", "us-east-1", 730, "hour", 0.045, 32.85,
     "S3 infracost golden nat_gateway; S4-vpc AWS VPC pricing page (2024-07-01) [A]"),
    ("proposed", "compute", "ec2:m6g.large", "asg-ecs", "us-east-1", 730, "hour", 0.077, 56.21,
     "S1 karpenter generated pricing (2026-07-20) [A]"),
    ("proposed", "datastores", "rds:db.t4g.medium", "db-main", "us-east-1", 730, "hour", 0.065, 47.45,
     "S4 transcription of the RDS page (2026-09-20) [C]"),
]
COST_COLS = ["scenario", "domain", "item", "resource_id", "region", "quantity", "unit", "unit_price_usd",
             "monthly_usd", "price_source"]
CURRENT = round(sum(c[8] for c in COSTS if c[0] == "current"), 2)  # 366.40
PROPOSED = round(sum(c[8] for c in COSTS if c[0] == "proposed"), 2)  # 136.51


def money(v: float) -> str:
    return f"${v:,.0f}"


def write_snapshot(account_dir: Path) -> None:
    vpcs = [{"account_id": ACCOUNT, "region": "us-east-1", "vpc_id": f"vpc-{i}", "cidr": f"10.{i}.0.0/16",
             "name": name, "is_default": False, "state": "available", "tags": json.dumps({"Name": name})}
            for i, name in enumerate(["fintech-staging-web", "fintech-staging-api", XSS])]
    subnets = [{"account_id": ACCOUNT, "region": "us-east-1", "subnet_id": f"subnet-{i}", "vpc_id": f"vpc-{i % 3}",
                "az": "us-east-1a", "cidr": f"10.{i}.1.0/24", "public": i % 2 == 0, "available_ips": 250,
                "name": ""} for i in range(6)]
    coverage = [
        {"account_id": ACCOUNT, "region": "us-east-1", "service": "ec2", "operation": "DescribeVpcs", "status": "ok",
         "message": "", "calls": 1, "items": 3, "duration_s": 0.1},
        {"account_id": ACCOUNT, "region": "us-east-1", "service": "ecs", "operation": "DescribeServices",
         "status": "ok", "message": "", "calls": 1, "items": 5, "duration_s": 0.1},
        {"account_id": ACCOUNT, "region": "global", "service": "ce", "operation": "GetCostAndUsage",
         "status": "access_denied", "message": f"AccessDenied for {XSS}", "calls": 1, "items": 0, "duration_s": 0.1},
        {"account_id": ACCOUNT, "region": "eu-west-1", "service": "ecs", "operation": "ListClusters",
         "status": "opt_in_required", "message": "region not enabled", "calls": 1, "items": 0, "duration_s": 0.1},
    ]
    snap = Snapshot(manifest={"account_id": ACCOUNT, "name": "fintech-staging", "environment": "staging",
                              "regions": ["us-east-1", "eu-west-1"], "collected_at": "2026-11-26T10:00:00+00:00"},
                    tables={"vpcs": empty_frame("vpcs", vpcs), "subnets": empty_frame("subnets", subnets),
                            "coverage": empty_frame("coverage", coverage)})
    snap.save(account_dir / "snapshot")


def write_outputs(account_dir: Path) -> None:
    (account_dir / "findings.json").write_text(json.dumps(FINDINGS, indent=1))
    pd.DataFrame(COSTS, columns=COST_COLS).to_csv(account_dir / "costs.csv", index=False)
    (account_dir / "model.json").write_text(json.dumps({"summary": {
        "current_monthly_usd": CURRENT, "proposed_monthly_usd": PROPOSED, "saving_usd": CURRENT - PROPOSED,
        "saving_pct": (CURRENT - PROPOSED) / CURRENT * 100, "pipeline_now_min": 92.0,
        "pipeline_predicted_min": 17.5, "bill_monthly_usd": 402.0, "bill_explained_pct": 91.1},
        "unpriced": [{"scenario": "current", "domain": "datastores", "item": "DocumentDB cluster storage",
                      "resource_id": "docdb-1", "region": "us-east-1", "reason": f"VolumeBytesUsed not collected {XSS}"}]}))
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
             "df = pd.read_csv(account_dir + '/costs.csv')\n"
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
    write_snapshot(acct)
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
    assert XSS not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    # careless notebook output, markdown output, finding titles and coverage messages all end up as text
    assert "unescaped: &lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert re.search(r"md output: &lt;script&gt;.*alert\(1\)", html)  # raw HTML in markdown: escaped too
    assert "AccessDenied for &lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=" in html
    soup = BeautifulSoup(html, "html.parser")
    assert soup.find("script") is None
    assert not [t for t in soup.find_all(True) if any(a.lower().startswith("on") for a in t.attrs)]


def test_executive_summary_headline_figures(html: str) -> None:
    summary = BeautifulSoup(section_html(html, "sec-00-summary"), "html.parser").get_text(" ")
    for figure in (money(CURRENT), money(PROPOSED), money(CURRENT - PROPOSED),
                   f"{(CURRENT - PROPOSED) / CURRENT * 100:.0f}%", "92 min", "18 min", "5 findings",
                   "accounts for 91% of the $402"):
        assert figure in summary, figure
    top = summary.split("Largest savings", 1)[1].split("Key risks", 1)[0]
    assert top.index("One NAT gateway per AZ") < top.index("Fargate tasks sized") < top.index("Price class All")
    risks = summary.split("Key risks", 1)[1].split("Where the money goes", 1)[0]
    assert "fail health checks" in risks and "Docker builds without layer cache" in risks
    assert "One NAT gateway" not in risks


def test_appendix_coverage_prices_assumptions(html: str) -> None:
    appendix = BeautifulSoup(section_html(html, "sec-90-appendix"), "html.parser").get_text(" ")
    assert "GetCostAndUsage" in appendix and "access denied" in appendix and "opt in required" in appendix
    assert "2 of 4 read-only API calls returned data" in appendix
    low = appendix.split("Prices to confirm", 1)[1]
    assert "rds:db.t3.large" in low and "nat_gateway_hour" not in low  # C listed, A not
    assert "Cost model" in appendix and "Rule thresholds" in appendix  # assumptions
    assert "Not priced" in appendix and "DocumentDB cluster storage" in appendix
    assert "VPCs" in appendix and "Subnets" in appendix  # inventory
    assert "costs.csv" in appendix and "findings.csv" not in appendix  # deliverables that exist


def test_wide_tables_get_a_smaller_print_font(html: str) -> None:
    assert "celltag_dense" in section_html(html, "sec-10-networking")  # 12 columns


def test_pdf_pages_and_headline_text(report: dict[str, Path]) -> None:
    pdf = report["pdf"]
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert pages >= 8  # cover, contents, 6 sections each on a new page
    assert re.search(r"Page size:\s+59[45]\.\d+ x 841\.\d+", info)  # A4
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    for figure in (money(CURRENT), money(PROPOSED), money(CURRENT - PROPOSED)):
        assert figure in text
    assert f"Page 2 of {pages}" in text
    assert "file://" not in text and str(pdf.parent) not in text  # no Chromium header/footer with the path
    raw = pdf.read_bytes()
    assert b"file://" not in raw and str(pdf.parent).encode() not in raw  # links stay inside the document
    assert b"/GoTo" in raw or b"/Dest" in raw  # the contents page links to its sections
    assert "<script>alert(1)</script>" in text  # the AWS string printed as text, not executed


def test_weasyprint_fallback(report: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "report.pdf"
    assert html_to_pdf(report["html"], out, engine="weasyprint") == "weasyprint"
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
    assert money(CURRENT) in text and "Executive summary" in text
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


DEMO = REPO / "outputs" / "demo"


@pytest.mark.skipif(not any(DEMO.glob("*/notebooks/00_summary.ipynb")), reason="no demo run (awsassess demo)")
def test_real_demo_output_publishes(tmp_path: Path) -> None:
    """The report built from a real `awsassess demo` account folder (copied; the run is left untouched)."""
    src = next(p.parents[1] for p in sorted(DEMO.glob("*/notebooks/00_summary.ipynb")))
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
