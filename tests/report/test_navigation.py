"""The report on screen, checked in its HTML: unique heading ids, contents that land on a visible heading,
alt text on every image, tables that can fit, nothing loaded from the network, the link to the portfolio.

The report is built in-process from notebooks that carry their outputs (``nav_samples``: no kernel, a
second or two); the session's demo run's accounts are checked too (heavy). What a browser
makes of it (clicking every link, measuring every table) is tests/report/test_browser_navigation.py.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from awsassess.layout import AccountFolder, RunFolder
from awsassess.report.account import portfolio_href, standard_notebooks
from awsassess.report.export import export_html, report_resources
from awsassess.report.merge import merge_notebooks
from awsassess.report.navigation import NBCONVERT_ALT, finish_page, finish_report
from bs4 import BeautifulSoup
from nav_samples import (
    HEADING,
    assert_contents_land_on_visible_headings,
    assert_ids_unique,
    assert_images_described,
    assert_nothing_from_the_network,
    build_html,
    portfolio_html,
    write_account,
    write_run,
)
from paths import REPO

pytestmark = pytest.mark.timeout(120)



# --------------------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("nav-run")


@pytest.fixture(scope="module")
def account(run_dir: Path) -> AccountFolder:
    return write_account(run_dir)


@pytest.fixture(scope="module")
def html(account: AccountFolder) -> str:
    return build_html(account)


@pytest.fixture(scope="module")
def soup(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


# ------------------------------------------------------------------------ the post-processing, small
def test_a_contents_anchor_moves_onto_its_heading_and_duplicates_get_section_ids() -> None:
    page = ('<nav class="contents"><a href="#sec-a">A</a><a href="#sec-a-1">F</a><a href="#sec-b-1">F</a></nav>'
            '<header class="section-head" id="sec-a"><h1>A</h1></header>'
            '<div class="jp-Cell"><p><a class="subsection-anchor" id="sec-a-1"></a></p>'
            '<h2 id="Findings">Findings<a class="anchor-link" href="#Findings">¶</a></h2>'
            '<h3 id="Details">Details<a class="anchor-link" href="#Details">¶</a></h3>'
            '<p><a href="#Details">see the details</a></p></div>'
            '<header class="section-head" id="sec-b"><h1>B</h1></header>'
            '<div class="jp-Cell"><p>See <a href="#Findings">findings</a></p></div>'
            '<div class="jp-Cell"><p><a class="subsection-anchor" id="sec-b-1"></a></p>'
            '<h2 id="Findings">Findings<a class="anchor-link" href="#Findings">¶</a></h2>'
            '<h3 id="Details">Details<a class="anchor-link" href="#Details">¶</a></h3>'
            '<h3 id="Details">Details<a class="anchor-link" href="#Details">¶</a></h3></div>')
    soup = BeautifulSoup(finish_report(page), "html.parser")
    assert [(h.name, h["id"]) for h in soup.find_all(HEADING) if h.get("id")] == [
        ("h2", "sec-a-1"), ("h3", "sec-a--Details"), ("h2", "sec-b-1"), ("h3", "sec-b--Details"),
        ("h3", "sec-b--Details-2")]
    assert [h.a["href"] for h in soup.find_all(HEADING) if h.get("id")] == [
        "#sec-a-1", "#sec-a--Details", "#sec-b-1", "#sec-b--Details", "#sec-b--Details-2"]  # the ¶ links follow
    assert soup.find("a", string="see the details")["href"] == "#sec-a--Details"  # within its section
    assert soup.find("a", string="findings")["href"] == "#sec-b-1"  # section b's own Findings
    assert not soup.select(".subsection-anchor") and not [p for p in soup.find_all("p") if not p.get_text()]
    assert_ids_unique(soup)
    assert_contents_land_on_visible_headings(soup)


def test_images_get_alt_text_from_their_heading() -> None:
    page = ('<h2 id="x">Where the money goes<a class="anchor-link" href="#x">¶</a></h2>'
            f'<div class="jp-RenderedImage"><img src="data:image/png;base64,AA==" alt="{NBCONVERT_ALT}"></div>'
            '<div class="jp-RenderedImage"><img src="data:image/png;base64,AA=="></div>'
            '<div class="jp-RenderedImage"><img src="data:image/png;base64,AA==" alt="Cost by area"></div>'
            '<h3 id="y">Current</h3><p><img src="data:image/png;base64,AA==" alt=" "></p>')
    soup = BeautifulSoup(finish_report(page), "html.parser")
    assert [img["alt"] for img in soup.find_all("img")] == [
        "Chart: Where the money goes", "Chart 2: Where the money goes", "Cost by area", "Figure: Current"]


def test_long_tokens_in_cells_break_at_separators_and_words_stay_whole() -> None:
    arn = "arn:aws:ecs:us-east-1:123456789012:service/acme-production/trading-engine"
    page = (f"<table><tr><td>{arn}</td><td>subnet-0c4afb20106cdbf97f</td><td>Utilisation target</td>"
            "<td>&lt;script&gt;alert(1)&lt;/script&gt;</td><td>instance_hour:db.r6g.large</td>"
            '<td class="num">1,234,567,890,123.45</td><td>fintech-production-notifications</td>'
            "<td>notebook:20_compute</td></tr></table>")
    soup = BeautifulSoup(finish_page(page), "html.parser")
    cells = [td.decode_contents() for td in soup.find_all("td")]
    assert cells[0] == ("arn:<wbr/>aws:<wbr/>ecs:<wbr/>us-east-1:<wbr/>123456789012:<wbr/>service/<wbr/>"
                        "acme-production/<wbr/>trading-engine")
    assert cells[1] == "subnet-<wbr/>0c4afb20106cdbf97f"
    assert cells[2] == "Utilisation target"  # words never break
    assert cells[3] == "&lt;script&gt;alert(1)&lt;/script&gt;"  # escaped text stays as it was
    assert cells[4] == "instance_<wbr/>hour:<wbr/>db.<wbr/>r6g.<wbr/>large"
    assert cells[5] == "1,234,567,890,123.45"  # numbers: never
    assert cells[6] == "fintech-production-notifications"  # the browser breaks after these hyphens itself
    assert cells[7] == "notebook:20_compute"  # shorter than a long token
    assert soup.get_text().count(arn) == 1  # the text (and a copy-paste) is unchanged


def test_every_table_sits_in_one_scroll_box() -> None:
    page = "<div><table><tr><td><table><tr><td>x</td></tr></table></td></tr></table><table></table></div>"
    soup = BeautifulSoup(finish_page(finish_page(page)), "html.parser")
    boxes = soup.select("div.table-scroll")
    assert len(boxes) == 2 and all(box.find("table") is box.contents[0] for box in boxes)


# ----------------------------------------------------------------------------------- the built report
def test_every_id_is_unique(soup: BeautifulSoup) -> None:
    assert_ids_unique(soup)
    assert len(soup.find_all(id=re.compile(r"--Details"))) == 3  # "### Details" in two notebooks, twice in one


def test_every_contents_link_lands_on_one_visible_heading(soup: BeautifulSoup) -> None:
    n = assert_contents_land_on_visible_headings(soup)
    contents = soup.select("nav.contents a[href]")
    assert [a["href"] for a in contents] == [
        "#sec-10-networking", "#sec-10-networking-1", "#sec-10-networking-2", "#sec-10-networking-3",
        "#sec-20-compute", "#sec-20-compute-1", "#sec-20-compute-2", "#sec-30-pipelines", "#sec-40-data-stores",
        "#sec-70-architecture", "#sec-70-architecture-1", "#sec-80-costs", "#sec-80-costs-1", "#sec-80-costs-2"]
    assert n == 2 * len(contents) + 2  # the sidebar lists the same, plus "#top" and "#contents"
    findings = [soup.find(id=a["href"][1:]) for a in contents if a.get_text() == "Findings"]
    assert [h.name for h in findings] == ["h2", "h2", "h2"] and len({id(h) for h in findings}) == 3


def test_a_link_written_against_a_heading_follows_it(soup: BeautifulSoup) -> None:
    intro = soup.find("a", string="the findings")
    assert intro["href"] == "#sec-10-networking-3"  # the Findings of its own section, not another's
    assert soup.find(id="sec-10-networking-3").get_text(strip=True).startswith("Findings")


def test_every_image_has_alt_text(soup: BeautifulSoup) -> None:
    assert_images_described(soup)
    alts = [img["alt"] for img in soup.select("main img")]
    assert alts == ["Chart: NAT gateways and egress", "p95 CPU by service", "Chart: Services, sizes and utilisation",
                    "Figure: Current"]


def test_nothing_is_loaded_from_the_network(html: str, soup: BeautifulSoup) -> None:
    assert_nothing_from_the_network(html, soup)


def test_tables_in_scroll_boxes_and_wide_ones_tagged(soup: BeautifulSoup) -> None:
    tables = soup.find_all("table")
    assert len(tables) == 6
    assert all("table-scroll" in t.parent["class"] for t in tables)
    vpc = next(t for t in tables if "Private subnets" in t.get_text())
    assert "celltag_wide" in vpc.find_parent("div", class_="jp-Cell")["class"]  # 12 columns: a landscape page


def test_the_report_links_to_its_runs_portfolio_on_screen_only(account: AccountFolder, soup: BeautifulSoup,
                                                                 tmp_path: Path) -> None:
    links = soup.select('a[href$="portfolio.html"]')
    assert [a["href"] for a in links] == ["../portfolio.html", "../portfolio.html"]
    assert (account.path / links[0]["href"]).resolve() == RunFolder(account.path.parent).portfolio_html.resolve()
    for a in links:
        assert a.find_parent(class_="screen-only") is not None  # never printed (Chromium: absolute file:// link)
    css = (REPO / "lib" / "awsassess" / "templates" / "awsassess_report" / "report.css").read_text()
    assert re.search(r"@media print \{\s*\.screen-only[^{]*\{ display: none !important; \}", css)
    alone = write_account(tmp_path, "lonely", run_json=False)  # not part of a run: no link
    assert portfolio_href(alone) == ""
    assert "portfolio.html" not in build_html(alone)


def test_the_portfolio_links_every_account_report_and_fits(tmp_path: Path) -> None:
    accounts = write_run(tmp_path)
    html = portfolio_html(tmp_path)
    soup = BeautifulSoup(html, "html.parser")
    table = soup.select_one("table.portfolio-table")
    assert "table-scroll" in table.parent["class"]
    links = [a["href"] for a in table.select("a[href]")]
    assert links == [f"{a.name}/report.html" for a in accounts]
    assert all((tmp_path / link).is_file() for link in links)
    top = [a["href"] for a in soup.select("#top-findings ~ div table a[href]")]
    assert set(top) == set(links)  # the largest savings link to their account's report too
    assert_images_described(soup)
    assert_nothing_from_the_network(html, soup)
    assert_ids_unique(soup)
    for acct in accounts:  # and each account's report links back
        assert 'href="../portfolio.html"' in acct.report_html.read_text()


# ------------------------------------------------------------------------------------ the demo run
@pytest.mark.heavy
@pytest.mark.parametrize("account", ["fintech-production", "fintech-staging"])
def test_demo_report(account: str, demo_cli_run: tuple[Path, Any]) -> None:
    """The session's demo account report built again (in memory; the run is left untouched), checked the same way."""
    out, proc = demo_cli_run
    folder = AccountFolder(out / account)
    assert folder.notebooks.is_dir(), proc.stderr[-3000:]
    merged = merge_notebooks(folder.notebooks, standard_notebooks())
    rep = report_resources({"client": "Demo"}, merged, folder.read_manifest(missing_ok=True),
                           portfolio_href=portfolio_href(folder))
    html = export_html(merged, folder.notebooks, rep)
    soup = BeautifulSoup(html, "html.parser")
    assert_ids_unique(soup)
    assert assert_contents_land_on_visible_headings(soup) > 40
    assert_images_described(soup)
    assert_nothing_from_the_network(html, soup)
    assert len(soup.select("main img")) >= 5
    assert soup.select('a.to-portfolio[href="../portfolio.html"]')
