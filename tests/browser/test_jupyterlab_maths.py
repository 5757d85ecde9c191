"""Dollar amounts are no mathematics in JupyterLab, whatever the output (a real JupyterLab, its real MathJax,
Playwright driving the system Chromium).

JupyterLab 4 typesets every Markdown and HTML output: "$4,110 a month ... $2,444" rendered as italic maths.
A notebook holding the outputs of the views, the summary and the coverage notes as they are displayed (and one
control output that is not protected, so the test sees MathJax run) is opened twice: trusted (as outputs are
when the consultant runs the notebook in ``awsassess lab``) and untrusted (an executed notebook from a run
folder, whose HTML JupyterLab sanitises). Expect: the control typeset, nothing else; every ``$`` shown as is;
trusted, the summary's KPI cards drawn as in the report and table text left, numbers right.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from typing import Any

import nbformat
import pandas as pd
import pytest
from awsassess import coverage, escaping
from awsassess.report import summary
from awsassess.views import Note, table
from jupyter_server import CHROMIUM, CHROMIUM_ARGS, free_port, fresh_profile, running
from snapshots_factory import SnapshotBuilder

pytestmark = pytest.mark.heavy

TOKEN = "awsassess-maths-test"
PRICEY = "fees $5 and $6 a month"
CONTROL = "<p>control: $x + y$ is typeset</p>"


def outputs() -> list[tuple[str, str, str]]:
    """(name, mime, data) of the outputs as the notebooks display them."""
    lines = pd.DataFrame([{"scenario": s, "domain": "compute", "item": "Fargate vCPU", "monthly_usd": usd}
                          for s, usd in (("current", 4110.0), ("proposed", 2444.0))])
    # the sentence: "... or $19,992 a year. Priced line by line, the model accounts for 96% of the $4,301"
    model = {"summary": {"bill_monthly_usd": 4301.0, "bill_explained_pct": 96.0}}
    results = summary.Results(findings=summary.findings_table([]), costs=summary.costs_table(lines), model=model)
    b = SnapshotBuilder()
    b.add("coverage", service="ecs", operation="ListServices", status="error", message=PRICEY)
    banner = coverage.banner(b.build())
    assert banner is not None
    styler = table(pd.DataFrame({"Item": [PRICEY, "$7 and $8"], "USD/month": [1200.0, 300.0]}))
    return [
        ("control", "text/html", CONTROL),
        ("headline", "text/html", str(summary.headline_html(results))),
        ("cost_by_domain", "text/html", str(summary.cost_by_domain_html(results))),
        ("note", "text/markdown", Note(PRICEY)._repr_markdown_()),
        ("styler", "text/html", styler.to_html()),
        ("html", "text/html", escaping.Html(f"<p>{PRICEY}</p>")._repr_html_()),
        ("banner", "text/html", banner._repr_html_()),
    ]


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A bare JupyterLab on a folder holding the notebook twice: signed (trusted) and not."""
    if CHROMIUM is None:
        pytest.skip("no Chromium on this machine (make setup installs it)")
    pytest.importorskip("playwright")
    home = tmp_path_factory.mktemp("mathshome")
    root = tmp_path_factory.mktemp("mathsroot")
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    for i, (name, mime, data) in enumerate(outputs()):
        cell = nbformat.v4.new_code_cell(f"# {name}")
        cell.outputs = [nbformat.v4.new_output("execute_result", data={mime: data, "text/plain": name},
                                               execution_count=i + 1)]
        nb.cells.append(cell)
    nbformat.write(nb, root / "untrusted.ipynb")
    from nbformat.sign import NotebookNotary

    data_dir = home / "data"
    data_dir.mkdir()
    nb.cells.append(nbformat.v4.new_markdown_cell("signed copy"))  # other content than the unsigned one
    NotebookNotary(data_dir=str(data_dir)).sign(nb)
    nbformat.write(nb, root / "trusted.ipynb")
    port = free_port()
    args = [sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}", "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.token={TOKEN}", f"--ServerApp.root_dir={root}"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        args.append("--allow-root")
    with running(args, fresh_profile(home), port, TOKEN, home / "lab.log") as url:
        yield {"url": url}


CELLS_JS = """() => [...document.querySelectorAll('.jp-CodeCell')].map(c => {
    const out = c.querySelector('.jp-OutputArea-output');
    const kpi = out && out.querySelector('.kpi');
    const cells = out ? [...out.querySelectorAll('tbody td')] : [];
    return {name: c.querySelector('.jp-InputArea-editor').innerText.replace('# ', '').trim(),
            maths: out ? out.querySelectorAll('mjx-container').length : -1, text: out ? out.innerText : '',
            kpiBorder: kpi ? getComputedStyle(kpi).borderTopWidth : null,
            kpis: kpi ? getComputedStyle(kpi.parentElement).display : null,
            align: cells.map(td => [td.innerText.trim(), getComputedStyle(td).textAlign, td.className])};
})"""


def rendered(lab: dict[str, Any], notebook: str) -> dict[str, dict[str, Any]]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1400})
        page.goto(f"{lab['url']}/lab/tree/{notebook}?token={TOKEN}&reset")
        page.wait_for_selector(".jp-NotebookPanel .jp-OutputArea-output", timeout=120_000)
        # MathJax loads lazily: wait until the control is typeset (then every output has been through it)
        page.wait_for_selector(".jp-OutputArea-output mjx-container", timeout=120_000)
        page.wait_for_timeout(1500)
        cells = {c["name"]: c for c in page.evaluate(CELLS_JS)}
        browser.close()
    return cells


@pytest.mark.parametrize("notebook", ["trusted.ipynb", "untrusted.ipynb"])
def test_no_dollar_amount_is_typeset_as_maths(lab: dict[str, Any], notebook: str) -> None:
    cells = rendered(lab, notebook)
    assert cells["control"]["maths"] == 1, "MathJax did not run: the test would prove nothing"
    for name, cell in cells.items():
        if name == "control":
            continue
        assert cell["maths"] == 0, f"{name}: a dollar amount typeset as maths ({notebook}): {cell['text'][:200]}"
    assert "$4,110 a month" in cells["headline"]["text"] and "a year. Priced line by line" in cells["headline"]["text"]
    for name in ("note", "styler", "html", "banner"):
        assert PRICEY in cells[name]["text"], (name, cells[name]["text"][:200])
    assert "\\$" not in "".join(c["text"] for c in cells.values())


def test_trusted_the_cards_are_drawn_and_tables_aligned(lab: dict[str, Any]) -> None:
    """As in ``awsassess lab``, where the notebook runs: the output's own CSS applies (JupyterLab drops every
    <style> of an untrusted output, pandas' Styler CSS included)."""
    cells = rendered(lab, "trusted.ipynb")
    head = cells["headline"]
    assert head["kpiBorder"] == "4px" and head["kpis"] == "grid", head
    by_text = {text: (align, cls) for text, align, cls in cells["cost_by_domain"]["align"]}
    assert by_text["Compute"][0] == "left" and by_text["$1,666"][0] == "right", by_text
    styler = {text: align for text, align, _ in cells["styler"]["align"]}
    assert styler[PRICEY] == "left" and styler["1,200.0"] == "right", styler
