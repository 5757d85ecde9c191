"""``export_notebook``: one executed notebook -> a standalone HTML page, through the report's own template
(``awsassess export NOTEBOOK [--out FILE]``). Built in-process from notebooks that carry their outputs."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import nbformat
import pytest
from awsassess.layout import AccountFolder, RunFolder
from awsassess.report import ReportError, export_notebook
from bs4 import BeautifulSoup
from nav_samples import (
    assert_contents_land_on_visible_headings,
    assert_ids_unique,
    assert_images_described,
    assert_nothing_from_the_network,
    write_account,
)
from paths import REPO

pytestmark = pytest.mark.timeout(120)

CSS = REPO / "lib" / "awsassess" / "templates" / "awsassess_report" / "report.css"


@pytest.fixture
def account(tmp_path: Path) -> AccountFolder:
    return write_account(tmp_path / "run")


def check_page(html: str) -> BeautifulSoup:
    soup = BeautifulSoup(html, "html.parser")
    assert_ids_unique(soup)
    assert_contents_land_on_visible_headings(soup)
    assert_images_described(soup)
    assert_nothing_from_the_network(html, soup)
    for marker in ("view()", "chart()", "account_dir = None", "jp-InputArea", "In&nbsp;["):
        assert marker not in html, marker  # no code, no parameters cell
    first_rule = next(line for line in CSS.read_text().splitlines() if line.startswith(":root"))
    assert first_rule in html  # the report's own stylesheet
    return soup


def test_exports_next_to_the_notebook_as_the_report_shows_it(account: AccountFolder) -> None:
    nb = account.notebooks / "10_networking.ipynb"
    out = export_notebook(nb)
    assert out == account.notebooks / "10_networking.html" and out.is_file()
    soup = check_page(out.read_text())
    assert soup.select_one("header.section-head h1").get_text() == "Networking"
    assert [a.get_text() for a in soup.select("nav.contents ol ol a")] == [
        "VPCs and what they hold", "NAT gateways and egress", "Findings"]
    assert soup.find("a", string="the findings")["href"] == "#sec-10-networking-3"
    assert len(soup.select("main img")) == 1 and soup.select_one("main img")["src"].startswith("data:image/png")
    assert all("table-scroll" in t.parent["class"] for t in soup.find_all("table"))
    assert soup.select_one("section.cover") is None  # a page, not a report: no cover, no page breaks
    assert "acme-prod" in soup.select_one(".notebook-head").get_text()
    assert not account.report_html.exists()  # nothing else written


def test_markdown_images_are_inlined_and_out_may_be_a_folder_or_a_file(account: AccountFolder,
                                                                       tmp_path: Path) -> None:
    nb = account.notebooks / "70_architecture.ipynb"
    folder = tmp_path / "exports"
    folder.mkdir()
    out = export_notebook(nb, folder)
    assert out == folder / "70_architecture.html"
    soup = check_page(out.read_text())
    img = soup.select_one("main img")
    assert img["src"].startswith("data:image/png;base64,") and img["alt"] == "Figure: Current"
    named = export_notebook(nb, tmp_path / "architecture-for-client.html")
    assert named.read_text() == out.read_text()


def test_a_notebook_run_elsewhere_exports_too(tmp_path: Path, account: AccountFolder) -> None:
    loose = tmp_path / "scratch" / "my analysis.ipynb"
    loose.parent.mkdir()
    shutil.copy(account.notebooks / "20_compute.ipynb", loose)
    soup = check_page(export_notebook(loose).read_text())
    assert soup.select_one("header.section-head h1").get_text() == "Compute"
    assert [img["alt"] for img in soup.select("main img")] == ["p95 CPU by service",
                                                               "Chart: Services, sizes and utilisation"]


def test_never_overwrites_the_report_the_portfolio_or_a_notebook(account: AccountFolder) -> None:
    nb = account.notebooks / "10_networking.ipynb"
    account.report_html.write_text("the report")
    for target in (account.report_html, account.path, RunFolder(account.path.parent).portfolio_html):
        with pytest.raises(ReportError, match="refusing to overwrite the account's (report|portfolio).html"):
            export_notebook(nb, target if target != account.path else account.path / "report.html")
    with pytest.raises(ReportError, match="would overwrite a notebook"):
        export_notebook(nb, account.notebooks / "20_compute.ipynb")
    with pytest.raises(ReportError, match="folder .* does not exist. Fix"):
        export_notebook(nb, account.path / "nowhere" / "x.html")
    assert account.report_html.read_text() == "the report"


def test_bad_input_is_a_clear_error(account: AccountFolder, tmp_path: Path) -> None:
    with pytest.raises(ReportError, match=r"missing\.ipynb does not exist\. Fix: give an executed notebook"):
        export_notebook(tmp_path / "missing.ipynb")
    with pytest.raises(ReportError, match="is a folder"):
        export_notebook(account.notebooks)
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    with pytest.raises(ReportError, match=r"not a notebook \(\.ipynb\)"):
        export_notebook(text)
    junk = tmp_path / "junk.ipynb"
    junk.write_text("{not json")
    with pytest.raises(ReportError, match="is not a Jupyter notebook that can be read.*Fix"):
        export_notebook(junk)
    with pytest.raises(ReportError, match=r"holds an error.*ZeroDivisionError.*Fix: correct the failing cell"):
        export_notebook(account.notebooks / "40_data_stores.ipynb")
    assert not (account.notebooks / "40_data_stores.html").exists()
    never_run = nbformat.read(account.notebooks / "80_costs.ipynb", as_version=4)
    for cell in never_run.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    nbformat.write(never_run, tmp_path / "80_costs.ipynb")
    with pytest.raises(ReportError, match="none of its code cells has run. Fix: run it first"):
        export_notebook(tmp_path / "80_costs.ipynb")


@pytest.mark.heavy
def test_a_demo_notebook(tmp_path: Path, demo_cli_run: tuple[Path, Any]) -> None:
    run, proc = demo_cli_run
    notebook = run / "fintech-staging" / "notebooks" / "80_migration_and_costs.ipynb"
    assert notebook.is_file(), proc.stderr[-3000:]
    out = export_notebook(notebook, tmp_path / "costs.html")
    soup = check_page(out.read_text())
    assert soup.select_one("header.section-head h1").get_text() == "Migration plan and costs"
    assert len(soup.select("main img")) >= 2
    assert re.search(r"fintech-staging", soup.select_one(".notebook-head").get_text())
