"""The PDF printer is offline: while a report prints, no connection attempt leaves the browser.

Every request Chromium makes goes to the proxy named on its command line (loopback included,
``--proxy-bypass-list=<-loopback>``); the test puts a counting listener there instead of the
refusing default and prints a page that tries hard to reach out (remote image, CSS @import and
url(), a font, a prefetch link, a script fetch). Background services (updates, metrics, safe browsing)
would show up as connections too.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from awsassess.report.pdf import chromium_pdf, find_chromium
from counting_proxy import counting_proxy

PAGE = """<!doctype html><html><head><meta charset="utf-8">
<style>@import url("http://attacker.example/a.css"); body { background: url("https://attacker.example/b.png"); }
@font-face { font-family: x; src: url("http://attacker.example/f.woff2"); } p { font-family: x; }</style>
<link rel="prefetch" href="http://attacker.example/prefetch">
<link rel="stylesheet" href="http://127.0.0.1:1/local.css">
</head><body><p>Confidential: client figures</p><img src="http://attacker.example/pixel.gif">
<script>fetch("http://attacker.example/beacon").catch(() => {});</script></body></html>"""


@pytest.mark.slow
@pytest.mark.skipif(find_chromium() is None, reason="no Chromium on this machine (make setup installs it)")
def test_printing_a_report_sends_nothing_out(tmp_path: Path) -> None:
    html = tmp_path / "report.html"
    html.write_text(PAGE, encoding="utf-8")
    with counting_proxy() as (proxy, attempts):
        pdf = chromium_pdf(html, tmp_path / "report.pdf", proxy=proxy)
    assert pdf.stat().st_size > 1000
    assert attempts == [], f"{len(attempts)} connection attempt(s) left the printer: {attempts[:5]}"
