"""The portfolio: every account of a run side by side, from run.json and the account folders."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from awsassess.report import ReportError, build_portfolio
from bs4 import BeautifulSoup

XSS = "<script>alert(1)</script>"
COST_COLS = ["scenario", "domain", "item", "resource_id", "region", "quantity", "unit", "unit_price_usd",
             "monthly_usd", "price_source"]

pytestmark = pytest.mark.timeout(120)


def write_account(run_dir: Path, name: str, current: list[float], proposed: list[float],
                  severities: list[str], pipeline: tuple[float, float] | None, report: bool = True) -> None:
    acct = run_dir / name
    acct.mkdir(parents=True)
    rows = [("current", d, "item", f"r{i}", "us-east-1", 1, "month", v, v, "S1 (2026-07-20) [A]")
            for i, (d, v) in enumerate(zip(["network", "compute", "datastores"], current, strict=False))]
    rows += [("proposed", d, "item", f"r{i}", "us-east-1", 1, "month", v, v, "S1 (2026-07-20) [A]")
             for i, (d, v) in enumerate(zip(["network", "compute", "datastores"], proposed, strict=False))]
    pd.DataFrame(rows, columns=COST_COLS).to_csv(acct / "costs.csv", index=False)
    findings = [{"rule_id": f"NET-{i + 1:03d}", "domain": "network", "severity": s, "title": f"{name} finding {i} {XSS}",
                 "account_id": "111111111111", "region": "us-east-1", "resource_ids": [f"id-{i}"], "evidence": {},
                 "recommendation": "fix", "monthly_savings_usd": 100.0 * (i + 1) if s != "info" else None,
                 "effort": "low"} for i, s in enumerate(severities)]
    (acct / "findings.json").write_text(json.dumps(findings))
    summary = {"current_monthly_usd": sum(current), "proposed_monthly_usd": sum(proposed)}
    if pipeline:
        summary.update(pipeline_now_min=pipeline[0], pipeline_predicted_min=pipeline[1])
    (acct / "model.json").write_text(json.dumps({"summary": summary}))
    if report:
        (acct / "report.html").write_text("<html><body>report</body></html>")


def step(name: str, status: str, error: dict | None = None) -> dict:
    return {"step": name, "kind": name.split(":")[0], "status": status, "error": error}


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    run = tmp_path_factory.mktemp("portfolio-run")
    write_account(run, "fintech-staging", [1000.0, 2000.0, 500.0], [400.0, 900.0, 300.0],
                  ["high", "medium", "low", "info"], (92.0, 18.0))
    write_account(run, "fintech-production", [4000.0, 9000.0, 2500.0], [1500.0, 3800.0, 1700.0],
                  ["high", "high", "medium"], (95.0, 20.0))
    (run / "broken-account").mkdir()
    (run / "run.json").write_text(json.dumps({
        "run_id": "20261126T101500Z-3f2a", "status": "failed", "started": "2026-11-26T10:15:00+00:00",
        "accounts": [
            {"name": "fintech-staging", "account_id": "111111111111", "environment": "staging", "status": "ok",
             "steps": [step("collect", "ok"), step("analyze", "ok"), step("report", "ok")]},
            {"name": "fintech-production", "account_id": "222222222222", "environment": "production",
             "status": "failed",
             "steps": [step("collect", "ok"), step("analyze", "ok"),
                       step("notebook:20_compute", "failed", {"type": "PapermillExecutionError",
                                                                "message": "KeyError: 'cpu'"}),
                       step("report", "ok")]},
            {"name": "broken-account", "account_id": "333333333333", "environment": "dev", "status": "failed",
             "steps": [step("collect", "failed", {"type": "ClientError", "message": f"AccessDenied {XSS}"}),
                       step("analyze", "skipped")]},
        ],
        "steps": [],
    }))
    return run


@pytest.fixture(scope="module")
def built(run_dir: Path) -> dict[str, Path]:
    return build_portfolio(run_dir, {"client": "Acme <Trading> Ltd", "prepared_by": "Example Consulting",
                                     "date": "2026-11-26"})


def rows_by_account(html: str) -> dict[str, str]:
    soup = BeautifulSoup(html, "html.parser")
    table = soup.select_one("table.portfolio-table")
    out = {}
    for tr in table.select("tbody tr"):
        first = tr.find("td").get_text(" ", strip=True).split(" ")[0]
        out[first] = tr.get_text(" | ", strip=True)
    return out


def test_every_account_side_by_side(built: dict[str, Path]) -> None:
    html = built["html"].read_text()
    rows = rows_by_account(html)
    assert set(rows) == {"fintech-staging", "fintech-production", "broken-account", "All"}
    staging = rows["fintech-staging"]
    for text in ("111111111111", "staging", "$3,500", "$1,600", "$1,900", "54%", "92 min \u2192 18 min", "Complete"):
        assert text in staging, text
    assert re.search(r"\| 1 \| 1 \| 1 \| 1 \|", staging)  # high, medium, low, info
    prod = rows["fintech-production"]
    for text in ("$15,500", "$7,000", "$8,500", "Partial", "notebook:20_compute"):
        assert text in prod, text
    assert re.search(r"\| 2 \| 1 \| 0 \| 0 \|", prod)
    broken = rows["broken-account"]
    assert "Failed" in broken and "AccessDenied" in broken and "$" not in broken
    total = rows["All"]
    for text in ("$19,000", "$8,600", "$10,400", "55%"):
        assert text in total, text


def test_relative_links_and_self_contained(built: dict[str, Path]) -> None:
    html = built["html"].read_text()
    soup = BeautifulSoup(html, "html.parser")
    hrefs = [a["href"] for a in soup.find_all("a")]
    assert "fintech-staging/report.html" in hrefs and "fintech-production/report.html" in hrefs
    assert not any(h.startswith(("/", "file:", "http")) for h in hrefs)
    assert not any("broken-account" in h for h in hrefs)  # no report to link to
    assert soup.find("script") is None
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", html)
    assert all(img["src"].startswith("data:image/png;base64,") for img in soup.find_all("img"))


def test_data_is_escaped(built: dict[str, Path]) -> None:
    html = built["html"].read_text()
    assert XSS not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Acme &lt;Trading&gt; Ltd" in html
    top = html.split('id="top-findings"', 1)[1]
    assert top.index("fintech-production finding 2") < top.index("fintech-staging finding 1")  # by saving


def test_pdf_has_the_figures_and_no_local_paths(built: dict[str, Path], run_dir: Path) -> None:
    pdf = built["pdf"]
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert int(re.search(r"Pages:\s+(\d+)", info).group(1)) >= 2
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    for figure in ("$19,000", "$8,600", "$10,400", "fintech-production", "broken-account", "Failed"):
        assert figure in text, figure
    raw = pdf.read_bytes()
    assert b"file://" not in raw and str(run_dir).encode() not in raw
    assert not list(run_dir.glob(".portfolio*"))  # the print copy is cleaned up


def test_no_accounts_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ReportError, match="no accounts found"):
        build_portfolio(tmp_path, pdf=False)
    with pytest.raises(ReportError, match="not a folder"):
        build_portfolio(tmp_path / "missing", pdf=False)
