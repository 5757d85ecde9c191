"""Tables in JupyterLab (``awsassess lab``): sortable, searchable, offline; static everywhere else."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from awsassess.findings import Finding
from awsassess.lab import tables
from awsassess.lab.mode import LAB_ENV
from awsassess.views import Note, findings_table, show_table, table
from awsassess.views import network as network_view
from demo_snapshots import demo_snapshot

EVIL = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(2)>"
#: anything that would make the browser fetch from the network
FETCH = re.compile(r"<script[^>]*\bsrc\s*=|<link[^>]*href\s*=\s*[\"']?https?:|from\s*[\"']https?://"
                   r"|import\(\s*[\"']https?://|url\(\s*[\"']?https?://", re.IGNORECASE)


@pytest.fixture
def lab(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(LAB_ENV, str(tmp_path))
    monkeypatch.setattr(tables, "_SENT", set())


@pytest.fixture
def static(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(LAB_ENV, raising=False)


def _frame() -> pd.DataFrame:
    return pd.DataFrame({"Name": [EVIL, IMG, "plain"] * 3, "USD/month": [1234.5, float("nan"), 7.25] * 3,
                         "Count": [1, 2, 3] * 3})


def _finding(severity: str = "high", n: int = 1) -> Finding:
    return Finding("NET-003", "network", severity, f"NATs {EVIL}", "1", "us-east-1",
                   [f"nat-{i:03d}" for i in range(n)], {}, "share egress")


def test_static_tables_are_the_stylers_of_today(static: None) -> None:
    styled = table(_frame())
    assert type(styled).__name__ == "Styler"
    assert type(findings_table([_finding()])).__name__ == "Styler"
    assert table(pd.DataFrame()) == Note("Nothing to show.")
    assert type(network_view.inventory(demo_snapshot())).__name__ == "Styler"
    html = styled.to_html()
    assert "1,234.5" in html and "&lt;script&gt;" in html and "<script>alert" not in html


def test_interactive_tables_in_a_lab_kernel(lab: None) -> None:
    t = table(_frame())
    assert isinstance(t, tables.InteractiveTable)
    assert type(t.styler).__name__ == "Styler" and list(t.frame.columns) == ["Name", "USD/month", "Count"]
    assert isinstance(findings_table([_finding()]), tables.InteractiveTable)
    assert isinstance(network_view.inventory(demo_snapshot()), tables.InteractiveTable)
    # nothing to show stays a note; the static HTML stays at hand
    assert table(pd.DataFrame(), "none") == Note("none")
    assert "1,234.5" in t.to_html()


def test_show_table_is_the_one_switch(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    df = _frame()
    styler = df.style
    monkeypatch.delenv(LAB_ENV, raising=False)
    assert show_table(styler, df) is styler
    monkeypatch.setenv(LAB_ENV, str(tmp_path))
    assert isinstance(show_table(styler, df), tables.InteractiveTable)
    monkeypatch.setenv(LAB_ENV, "  ")
    assert show_table(styler, df) is styler


def test_offline_the_bundle_once_per_page_and_no_fetch(lab: None) -> None:
    first = table(_frame())._repr_html_()
    second = table(_frame())._repr_html_()
    assert "injectModule" in first and "injectModule" not in second  # the bundle travels with the first table
    assert len(first) > 500_000 > len(second)
    for html in (first, second, tables.bundle_html()):
        assert not FETCH.search(html), FETCH.search(html)
        assert "unpkg" not in html.lower()
    # a page that lost the bundle's output can have it again
    assert "injectModule" in tables.Bundle()._repr_html_()


def test_names_stay_data_and_formats_stay(lab: None) -> None:
    html = table(_frame()).html()
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "&lt;img src=x onerror=alert(2)&gt;" in html
    assert "1,234.5" in html and "7.2" in html  # the Styler's formats (precision 1), thousands separators
    assert "text-align: left" in html
    # numbers sort by value (a formatted "1,234.5" or "–" is text to DataTables otherwise)
    assert '"targets": [1, 2]' in html and "parseFloat" in html
    coloured = findings_table([_finding("high"), _finding("low", 9)]).html()
    assert "#c0392b" in coloured and "#2980b9" in coloured  # severity colours
    assert "9 resources: nat-000" in coloured and "nat-008" in coloured
    assert "NATs &lt;script&gt;" in coloured


def test_the_static_preview_stays_until_the_bundle_is_there(lab: None) -> None:
    html = table(_frame()).html()
    table_id = re.search(r'<table id="(T_[0-9a-f]+)" hidden="hidden">', html)
    assert table_id, html[:400]
    tid = table_id.group(1)
    assert html.count(f'id="{tid}"') == 1  # the preview has its own ids: DataTables builds one table
    preview = html[html.index(f'<div id="{tid}_fallback">'):]
    assert "&lt;script&gt;" in preview and "1,234.5" in preview and "text-align: left" in preview
    swap = re.search(r"<script>\(function \(\) \{ var swap.*?</script>", html)
    assert swap and f"window.{tables._global()}" in swap.group(0) and tables._ready_event() in swap.group(0)


def test_controls_only_where_they_help(lab: None) -> None:
    small = table(pd.DataFrame({"a": [1, 2]})).html()
    assert '"topEnd": null' in small and '"bottomEnd": null' in small
    big = table(pd.DataFrame({"a": list(range(40))})).html()
    assert '"placeholder": "Filter rows"' in big and '"bottomEnd": "paging"' in big


def test_the_output_is_kept_from_mathjax(lab: None) -> None:
    from awsassess import escaping

    out = table(pd.DataFrame({"Note": ["pay-as-you-go would be $235.72, flat $200"] * 3}))._repr_html_()
    assert f'<div class="{escaping.NO_MATH}">' in out and out.rstrip().endswith("</div>")


def test_a_reloaded_page_gets_the_bundle_again(lab: None, monkeypatch: pytest.MonkeyPatch) -> None:
    page = {"id": "page-a"}
    monkeypatch.setattr(tables, "_frontend", lambda: page["id"])
    assert tables.claim_bundle() and not tables.claim_bundle()
    page["id"] = "page-b"  # a reload is a new frontend session on the same kernel
    assert "injectModule" in table(_frame())._repr_html_()
