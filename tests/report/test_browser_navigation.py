"""The report and the portfolio in a real browser (Playwright driving Debian's Chromium, no browser download)
at 1440x900: every contents link scrolls its heading into view, no table hides a column, the contents stay
in view beside the report, the portfolio's accounts table fits, the link to the portfolio works.

Reports: the ``nav_samples`` account (built in-process, no kernel) and the production account's report of
the session's ``awsassess demo`` (the ``demo_cli_run`` fixture).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from awsassess.layout import AccountFolder
from jupyter_server import CHROMIUM_ARGS
from nav_samples import portfolio_html, write_run

pytestmark = [pytest.mark.heavy, pytest.mark.timeout(300),
              pytest.mark.skipif(not Path("/usr/bin/chromium").is_file(), reason="no /usr/bin/chromium")]

sync_api = pytest.importorskip("playwright.sync_api")

SCREEN = {"width": 1440, "height": 900}
A4_PORTRAIT_PX = 680  # 210 mm - 2 x 15 mm margins at 96 px/inch
A4_LANDSCAPE_PX = 1016  # 297 mm - 2 x 14 mm
DEMO_ACCOUNT = "fintech-production"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    pg = browser.new_page(viewport=SCREEN)
    try:
        yield pg
    finally:
        pg.close()


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[AccountFolder]]:
    run_dir = tmp_path_factory.mktemp("browser-run")
    accounts = write_run(run_dir)
    portfolio_html(run_dir)
    return run_dir, accounts


@pytest.fixture(scope="module")
def demo_report(demo_cli_run: tuple[Path, Any]) -> Path:
    """The production account's report.html of the session's ``awsassess demo`` (as a user gets it)."""
    out, proc = demo_cli_run
    acct = AccountFolder(out / DEMO_ACCOUNT)
    assert acct.report_html.is_file(), proc.stderr[-3000:]
    return acct.report_html


@pytest.fixture(params=["sample", "demo"])
def report(request: pytest.FixtureRequest, run: tuple[Path, list[AccountFolder]]) -> Path:
    if request.param == "demo":
        return request.getfixturevalue("demo_report")
    return run[1][0].report_html


# what a test asks the page: the target of a link, where it is, whether anything hides it
TARGET_JS = """(href) => {
  const el = document.getElementById(href.slice(1));
  if (!el) return null;
  const r = el.getBoundingClientRect();
  const atBottom = Math.ceil(window.scrollY + window.innerHeight) >= document.documentElement.scrollHeight - 1;
  return {tag: el.tagName, top: r.top, height: r.height, visible: el.checkVisibility({visibilityProperty: true}),
          text: el.textContent.trim().slice(0, 60), atBottom, innerHeight: window.innerHeight};
}"""

# tables whose columns are not all visible: wider than their scroll box (or, with inside=true, a scroll box
# running past the text column, where even scrolling would not reveal them)
TABLES_JS = """([selector, exceptInside]) => {
  const bad = [];
  const main = document.querySelector('main') || document.body;
  const column = main.getBoundingClientRect();
  const pad = parseFloat(getComputedStyle(main).paddingRight) || 0;
  for (const t of document.querySelectorAll(selector)) {
    if (exceptInside && t.closest(exceptInside)) continue;
    const box = t.closest('.table-scroll') || t.parentElement;
    const fits = t.scrollWidth <= box.clientWidth + 1;
    const boxRight = box.getBoundingClientRect().right;
    const head = [...t.querySelectorAll('tr')][0];
    bad.push({fits, scrollable: ['auto', 'scroll'].includes(getComputedStyle(box).overflowX),
              inColumn: boxRight <= column.right - pad + 1, table: t.scrollWidth, box: box.clientWidth,
              head: head ? head.textContent.replace(/\\s+/g, ' ').trim().slice(0, 80) : ''});
  }
  return bad;
}"""


def click_every_link(page: Any, selector: str, scroll_back: bool) -> int:
    links = page.locator(selector)
    n = links.count()
    assert n > 0, selector
    for i in range(n):
        link = links.nth(i)
        href = link.get_attribute("href")
        if scroll_back:  # start from the top, as a reader of the contents page does
            page.evaluate("window.scrollTo(0, 0)")
        link.click()
        page.wait_for_function("(h) => location.hash === h", arg=href)
        t = page.evaluate(TARGET_JS, href)
        assert t is not None, f"{href}: no element with that id"
        assert t["visible"] and t["height"] > 0, f"{href}: its target is hidden ({t})"
        assert 0 <= t["top"] < t["innerHeight"], f"{href}: not scrolled into view ({t})"
        assert t["top"] <= 40 or t["atBottom"], f"{href}: not brought to the top of the view ({t})"
        assert t["tag"] in {"H1", "H2", "H3", "H4", "HEADER", "MAIN", "NAV"}, t
    return n


def test_every_contents_link_scrolls_its_heading_into_view(page: Any, report: Path) -> None:
    page.goto(report.resolve().as_uri())
    n = click_every_link(page, "nav.contents a[href^='#']", scroll_back=True)
    m = click_every_link(page, "nav.sidebar a[href^='#']", scroll_back=False)  # from wherever the reader is
    assert m == n + 2  # the sidebar's own "top" and "contents" links


def test_no_table_hides_a_column(page: Any, report: Path) -> None:
    page.goto(report.resolve().as_uri())
    assert page.evaluate("document.documentElement.scrollWidth") <= SCREEN["width"]
    tables = page.evaluate(TABLES_JS, ["table", None])
    assert len(tables) >= 6
    assert [t for t in tables if not t["fits"]] == []  # at 1440 px every table fits its column
    page.set_viewport_size({"width": 1024, "height": 800})  # narrower: a table may scroll, inside the column
    assert page.evaluate("document.documentElement.scrollWidth") <= 1024
    tables = page.evaluate(TABLES_JS, ["table", None])
    assert [t for t in tables if not t["inColumn"] or not (t["fits"] or t["scrollable"])] == []


def test_tables_fit_a4_paper(page: Any, report: Path) -> None:
    page.emulate_media(media="print")
    page.set_viewport_size({"width": A4_PORTRAIT_PX, "height": 1000})
    page.goto(report.resolve().as_uri())
    wide = ".celltag_wide, .celltag_landscape"  # printed on landscape pages
    portrait = page.evaluate(TABLES_JS, ["table", wide])
    assert portrait and [t for t in portrait if not t["fits"]] == []
    page.set_viewport_size({"width": A4_LANDSCAPE_PX, "height": 800})
    landscape = page.evaluate(TABLES_JS, [".celltag_wide table, .celltag_landscape table", None])
    assert landscape and [t for t in landscape if not t["fits"]] == []
    hidden = page.evaluate("[...document.querySelectorAll('.sidebar, .float-nav')].map(e => e.checkVisibility())")
    assert hidden == [False, False]  # no screen navigation on paper


def test_the_contents_stay_in_view_beside_the_report(page: Any, run: tuple[Path, list[AccountFolder]]) -> None:
    page.goto(run[1][0].report_html.resolve().as_uri() + "#sec-80-costs-2")
    box = page.locator("nav.sidebar").bounding_box()
    main = page.locator("main").bounding_box()
    assert page.evaluate("window.scrollY") > 1000
    assert box is not None and box["y"] == 0 and box["x"] + box["width"] <= main["x"]  # stuck, left of the text
    assert page.locator("nav.sidebar a[href='#sec-80-costs-2']").is_visible()
    assert not page.locator(".float-nav").is_visible()
    page.set_viewport_size({"width": 1024, "height": 800})  # no room for a sidebar: a floating link instead
    assert not page.locator("nav.sidebar").is_visible()
    float_nav = page.locator(".float-nav a[href='#contents']")
    assert float_nav.is_visible()
    float_nav.click()
    page.wait_for_function("location.hash === '#contents'")
    assert abs(page.locator("nav.contents").bounding_box()["y"]) < 40


def test_the_report_links_to_the_portfolio_and_back(page: Any, run: tuple[Path, list[AccountFolder]]) -> None:
    run_dir, accounts = run
    page.goto(accounts[0].report_html.resolve().as_uri())
    page.locator("nav.sidebar a.to-portfolio").click()
    page.wait_for_url("**/portfolio.html")
    assert page.locator("h1").first.is_visible()
    page.locator(f"table.portfolio-table a[href='{accounts[1].name}/report.html']").click()
    page.wait_for_url(f"**/{accounts[1].name}/report.html")
    assert page.title().startswith("AWS architecture assessment")


def test_the_portfolio_accounts_table_shows_every_column(page: Any, run: tuple[Path, list[AccountFolder]]) -> None:
    uri = (run[0] / "portfolio.html").resolve().as_uri()
    page.goto(uri)
    assert page.evaluate("document.documentElement.scrollWidth") <= SCREEN["width"]
    tables = page.evaluate(TABLES_JS, ["table", None])
    assert len(tables) == 2 and [t for t in tables if not (t["fits"] and t["inColumn"])] == []
    status = page.locator("table.portfolio-table thead th").last
    assert status.inner_text() == "Status"
    right = status.bounding_box()
    assert right is not None and right["x"] + right["width"] <= SCREEN["width"]
    assert status.is_visible()
    page.emulate_media(media="print")
    page.set_viewport_size({"width": A4_PORTRAIT_PX, "height": 1000})
    page.goto(uri)
    assert [t for t in page.evaluate(TABLES_JS, ["table", None]) if not t["fits"]] == []
