"""AWS strings stay text in a real headless browser: the views' HTML inside an nbconvert page, and the report.

A VPC named with markup (an <img onerror>, a <script>, a <style> @import) goes through the real view,
the real nbconvert HTML export of a notebook holding that output, and Chromium (--dump-dom, scripts
on). Every request the page makes goes to a counting proxy (loopback included, no name resolves);
a live handler or script would mark the DOM. Expect: no mark, no request, the name shown as text.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest
from awsassess.report.pdf import CHROMIUM_FLAGS, find_chromium
from counting_proxy import counting_proxy
from snapshots_factory import SnapshotBuilder

MARK = "data-pwned"
PAYLOADS = [
    f'<img src=x onerror="document.body.setAttribute(\'{MARK}\', \'img\')">',
    f"<script>document.body.setAttribute('{MARK}', 'script')</script>",
    '<style>@import url("http://evil.example/x.css"); table { display: none }</style>',
    '<svg onload="document.body.setAttribute(\'data-pwned\', \'svg\')"></svg>',
]

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(find_chromium() is None, reason="no Chromium (make setup installs it)")]


@pytest.fixture
def proxy() -> Iterator[tuple[str, list[bytes]]]:
    with counting_proxy() as found:
        yield found


def dom_of(page: Path, proxy_url: str, tmp_path: Path) -> str:
    flags = [f for f in CHROMIUM_FLAGS if f != "--no-pdf-header-footer"]
    cmd = [find_chromium(), *flags, f"--proxy-server={proxy_url}", f"--user-data-dir={tmp_path / 'profile'}",
           "--virtual-time-budget=3000", "--dump-dom", page.resolve().as_uri()]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=True).stdout


def malicious_snapshot():  # noqa: ANN201
    b = SnapshotBuilder()
    for i, payload in enumerate(PAYLOADS):
        b.add("vpcs", vpc_id=f"vpc-{i}", name=payload, cidr="10.0.0.0/16")
    return b.build()


def test_a_notebook_with_view_outputs_exported_by_nbconvert_runs_nothing(
        proxy: tuple[str, list[bytes]], tmp_path: Path) -> None:
    from awsassess.views import network
    from nbconvert import HTMLExporter

    view = network.inventory(malicious_snapshot())
    html_output = view._repr_html_() if hasattr(view, "_repr_html_") else view.to_html()
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("network.inventory(ctx.snapshot)")
    cell.outputs = [nbformat.v4.new_output("execute_result", data={"text/html": html_output, "text/plain": "t"},
                                           execution_count=1)]
    nb.cells = [cell]
    body, _ = HTMLExporter(template_name="classic").from_notebook_node(nb)
    page = tmp_path / "notebook.html"
    page.write_text(body, encoding="utf-8")
    dom = dom_of(page, proxy[0], tmp_path)
    assert MARK not in dom.split("<body", 1)[1].split(">", 1)[0], "a handler or script from a VPC name ran"
    assert f"setAttribute('{MARK}'" in dom or "setAttribute(&#x27;" in dom or "onerror" in dom  # shown as text
    assert proxy[1] == [], f"requests left the page: {proxy[1][:3]}"


def test_the_report_with_hostile_names_opens_with_no_request_and_no_handler(
        proxy: tuple[str, list[bytes]], tmp_path: Path) -> None:
    """The report built from notebooks whose outputs carry the hostile names (views' tables and a raw
    <style>/<img onerror> output as a compromised view would emit), opened in the browser."""
    from awsassess.report import build_account_report
    from awsassess.views import network

    acct = tmp_path / "acme"
    (acct / "notebooks").mkdir(parents=True)
    view = network.inventory(malicious_snapshot())
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# Networking")]
    for data in ({"text/html": view.to_html()}, {"text/html": "".join(PAYLOADS)}):
        cell = nbformat.v4.new_code_cell("view()")
        cell.outputs = [nbformat.v4.new_output("execute_result", data={**data, "text/plain": "t"}, execution_count=1)]
        nb.cells.append(cell)
    nbformat.write(nb, acct / "notebooks" / "10_networking.ipynb")
    out = build_account_report(acct, {"client": "Acme", "account_id": "123456789012"}, expected=["10_networking"],
                                pdf=False)
    dom = dom_of(out["html"], proxy[0], tmp_path)
    assert MARK not in dom.split("<body", 1)[1].split(">", 1)[0], "a handler or script from a VPC name ran"
    assert "evil.example" not in dom or "@import" not in dom.split("</head>")[0]
    assert proxy[1] == [], f"requests left the report: {proxy[1][:3]}"
