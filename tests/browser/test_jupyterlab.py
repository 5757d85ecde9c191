"""JupyterLab as a consultant uses it, in a real browser (Playwright driving the system Chromium, no
browser download): ``awsassess lab`` on a demo run, 00_summary opened, the staging account picked, a
what-if control moved; the headline, the cost table and the proposed diagram change together and agree
with ``awsassess analyze`` run with the saved scenario; no dollar amount is typeset as maths; nothing
under ``notebooks/`` or in the delivered run changes.

Timings (open -> first result, what-if -> updated figures) are printed, never asserted.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from jupyter_server import CHROMIUM, CHROMIUM_ARGS, free_port, fresh_profile, running
from paths import REPO

pytestmark = pytest.mark.heavy

TOKEN = "awsassess-browser-test"


def tree_digest(folder: Path) -> dict[str, str]:
    """path -> sha256 of every file under ``folder`` (contents only: the lab may align mtimes)."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and "__pycache__" not in p.parts}


@pytest.fixture(scope="module")
def demo_run(demo_cli_run: tuple[Path, Any]) -> Path:
    out, proc = demo_cli_run
    assert (out / "run.json").is_file(), proc.stderr[-3000:]
    return out


@pytest.fixture(scope="module")
def lab(demo_run: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """``awsassess lab DEMO_RUN`` on a fresh profile (no settings, no workspace), its URL and session folder."""
    if CHROMIUM is None:
        pytest.skip("no Chromium on this machine (make setup installs it)")
    home = tmp_path_factory.mktemp("labhome")
    session = tmp_path_factory.mktemp("labsession")
    port = free_port()
    args = [sys.executable, "-m", "awsassess.cli", "lab", str(demo_run), "--session", str(session), "--port", str(port),
            f"--ServerApp.token={TOKEN}", "--account", "fintech-production"]
    started = time.perf_counter()
    with running(args, fresh_profile(home), port, TOKEN, home / "lab.log", cwd=REPO) as url:
        print(f"\n[lab] server up in {time.perf_counter() - started:.1f} s")
        yield {"url": url, "session": session, "run": demo_run, "log": home / "lab.log"}


def kpi(page: Any, label: str) -> str:
    """The value of the headline's KPI card ``label`` ("Proposed cost") in the live output."""
    card = page.locator(".jp-OutputArea-output .kpi", has_text=label).first
    return str(card.locator(".value, .kpi-value, strong, b").first.inner_text()).strip()


def money(text: str) -> float:
    match = re.search(r"-?[\d,]+(?:\.\d+)?", text.replace("$", ""))
    assert match, text
    return float(match.group(0).replace(",", ""))


def explorer_badge(page: Any) -> str:
    return str(page.locator(".awsassess-explorer .awsassess-badge").first.text_content())


def test_explore_pick_staging_and_move_a_whatif_control(lab: dict[str, Any], tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    notebooks_before = tree_digest(REPO / "notebooks")
    run_before = tree_digest(lab["run"])
    shots = Path(os.environ.get("AWSASSESS_SCREENSHOTS", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        t0 = time.perf_counter()
        page.goto(f"{lab['url']}/lab/tree/notebooks/00_summary.ipynb?token={TOKEN}")
        page.wait_for_selector(".jp-NotebookPanel .jp-Cell", timeout=120_000)
        page.wait_for_timeout(2500)
        page.screenshot(path=str(shots / "lab-open.png"))
        # opening marks nothing modified; the report-hidden code is collapsed; no news pop-up on a fresh profile
        assert page.locator(".jp-mod-dirty").count() == 0, "the notebook reads as modified right after opening"
        assert page.locator(".jp-InputPlaceholder").count() >= 5, "report-hidden code cells should open collapsed"
        assert page.get_by_text("official Jupyter news").count() == 0, "the Jupyter news pop-up is on"
        # and not by luck of timing: the server applies the project's settings
        for plugin, key, want in (("@jupyterlab/apputils-extension:notification", "fetchNews", "false"),
                                  ("@jupyterlab/docmanager-extension:plugin", "autosave", False)):
            with urllib.request.urlopen(f"{lab['url']}/lab/api/settings/{plugin}?token={TOKEN}", timeout=30) as r:
                # jupyterlab_server applies overrides.json as the schema's defaults
                assert json.loads(r.read())["schema"]["properties"][key]["default"] == want, (plugin, key)

        page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
        page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
        page.wait_for_selector(".awsassess-explorer .awsassess-badge", timeout=120_000)
        page.wait_for_selector(".jp-OutputArea-output .kpi", timeout=120_000)
        first_result = time.perf_counter() - t0
        page.wait_for_timeout(1500)

        # pick the staging account: the picker is the explorer's first <select>
        picker = page.locator(".awsassess-explorer select").first
        options = [o.replace("\xa0", " ") for o in picker.evaluate("s => [...s.options].map(o => o.text)")]
        staging = [i for i, o in enumerate(options) if o.endswith("/ fintech-staging")]
        assert staging, options
        picker.select_option(index=staging[0])
        page.wait_for_function("() => [...document.querySelectorAll('.awsassess-explorer .awsassess-badge')]"
                               ".some(e => e.innerText.includes('fintech-staging'))", timeout=60_000)
        page.wait_for_timeout(2000)
        assert "as delivered" in explorer_badge(page)
        before = {"proposed": money(kpi(page, "Proposed cost")), "today": money(kpi(page, "Cost today")),
                  "diagram": page.locator(".awsassess-diagram img").first.get_attribute("src"),
                  "table": page.locator(".awsassess-explorer .jp-OutputArea-output table").first.inner_text()}
        page.screenshot(path=str(shots / "lab-staging.png"))

        # move a what-if control: compute on ECS on EC2 instead of the cheapest
        t1 = time.perf_counter()
        compute = page.locator(".awsassess-explorer .widget-dropdown", has_text="Compute").locator("select")
        labels = [o.replace("\xa0", " ") for o in compute.evaluate("s => [...s.options].map(o => o.text)")]
        compute.select_option(index=labels.index("ECS on EC2"))
        page.wait_for_function("() => [...document.querySelectorAll('.awsassess-explorer .awsassess-badge')]"
                               ".some(e => e.innerText.includes('WHAT-IF'))", timeout=60_000)
        page.wait_for_function(
            "(old) => { const i = document.querySelector('.awsassess-diagram img'); return i && i.src !== old; }",
            arg=before["diagram"], timeout=60_000)
        page.wait_for_timeout(1500)
        whatif_s = time.perf_counter() - t1
        mid = money(kpi(page, "Proposed cost"))

        # and a slider: the packing utilisation target, moved with the keyboard as a consultant would drag it
        handle = page.locator(".awsassess-explorer .widget-slider", has_text="Packing utilisation").locator(
            ".noUi-handle").first
        handle.focus()
        for _ in range(4):
            handle.press("ArrowLeft")
        # each key press is a change the kernel computes in turn: wait for the last one (the slider's readout)
        readout = page.locator(".awsassess-explorer .widget-slider", has_text="Packing utilisation").locator(
            ".widget-readout").first.inner_text()
        final = f"utilisation_target 0.9 \u2192 {round(float(readout), 6):g}"
        page.wait_for_function("(want) => [...document.querySelectorAll('.awsassess-explorer .awsassess-badge')]"
                               ".some(e => e.innerText.includes(want))", arg=final, timeout=90_000)
        page.wait_for_timeout(1500)
        after = {"proposed": money(kpi(page, "Proposed cost")), "today": money(kpi(page, "Cost today")),
                 "table": page.locator(".awsassess-explorer .jp-OutputArea-output table").first.inner_text()}
        page.screenshot(path=str(shots / "lab-whatif.png"), full_page=False)
        assert after["today"] == before["today"], "today's cost does not depend on the proposal's assumptions"
        assert after["proposed"] != before["proposed"], "the headline did not follow the what-if"
        assert after["table"] != before["table"], "the cost table did not follow the what-if"
        assert "compute_launch" in explorer_badge(page)

        # the live sections below follow too: the summary's own cost table shows the new proposed total
        totals = page.locator(".jp-OutputArea-output table", has_text="Total").all_inner_texts()
        assert any(f"{after['proposed']:,.0f}" in t for t in totals), (after, totals)

        # no dollar amount typeset as maths anywhere in the outputs
        assert page.locator(".jp-OutputArea-output mjx-container, .jp-OutputArea-output .MathJax").count() == 0
        headline = page.locator(".jp-OutputArea-output", has_text="a year").first.inner_text()
        assert "$" in headline

        # save the scenario; analyze with the params file plus that block gives the same figures
        page.locator(".awsassess-explorer button", has_text="Save scenario").click()
        page.wait_for_function("() => document.querySelector('.awsassess-explorer').innerText.includes('Scenario saved')",
                               timeout=30_000)
        browser.close()
    print(f"[lab] open -> first result {first_result:.1f} s; what-if -> updated figures {whatif_s:.1f} s")

    scenarios = sorted(lab["session"].rglob("scenario-*.yaml"))
    assert scenarios, "Save scenario wrote nothing"
    block = yaml.safe_load(scenarios[-1].read_text())["assumptions"]
    assert block["model"]["compute_launch"] == "ec2" and block["model"]["utilisation_target"] < 0.9, block
    assert set(block) == {"model"} and set(block["model"]) == {"compute_launch", "utilisation_target"}, block
    print(f"[lab] proposed: delivered {before['proposed']:,.0f}, ECS on EC2 {mid:,.0f}, "
          f"utilisation {block['model']['utilisation_target']:g}: {after['proposed']:,.0f}")
    params = yaml.safe_load((lab["run"] / "params" / "fintech-staging.yaml").read_text())
    params["assumptions"] = {**(params.get("assumptions") or {}), **block}
    merged = tmp_path / "fintech-staging.yaml"
    merged.write_text(yaml.safe_dump(params))
    out = tmp_path / "analyzed"
    proc = subprocess.run([sys.executable, "-m", "awsassess.cli", "analyze",
                           str(lab["run"] / "fintech-staging" / "snapshot"), "--out", str(out), "--params", str(merged),
                           "--offline"], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    summary = json.loads((out / "model.json").read_text())["summary"]
    assert round(summary["proposed_monthly_usd"]) == round(after["proposed"])
    assert round(summary["current_monthly_usd"]) == round(after["today"])

    # exploring changed nothing in the repository's notebooks or the delivered run; what-if files are in the session
    assert tree_digest(REPO / "notebooks") == notebooks_before
    assert tree_digest(lab["run"]) == run_before
    assert list(lab["session"].rglob("proposed.svg")), "the what-if diagram belongs in the session folder"
