"""Timings of the client report on an existing account folder: merge + HTML export, PDF per route.

    .venv/bin/python benchmarks/report.py [ACCOUNT_DIR ...] [--repeat 3]

ACCOUNT_DIR defaults to outputs/demo/fintech-staging and outputs/demo/fintech-production (run
`awsassess demo --out outputs/demo` first). Writes into a temporary copy, never into the folder.
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from awsassess.report.account import build_account_report, standard_notebooks
from awsassess.report.pdf import chromium_pdf, find_chromium, weasyprint_pdf

ROOT = Path(__file__).resolve().parents[1]


def _cpu() -> float:
    """CPU seconds of this process and its finished children (Chromium runs as a child)."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def timed(fn, repeat: int) -> list[tuple[float, float]]:
    """(wall, cpu) seconds per run; CPU time is the figure to compare on a busy machine."""
    out = []
    for _ in range(repeat):
        t, c = time.perf_counter(), _cpu()
        fn()
        out.append((time.perf_counter() - t, _cpu() - c))
    return out


def fmt(xs: list[tuple[float, float]]) -> str:
    wall = [w for w, _ in xs]
    cpu = [c for _, c in xs]
    return (f"wall median {statistics.median(wall):5.2f} s (min {min(wall):.2f}), "
            f"cpu median {statistics.median(cpu):5.2f} s, n={len(xs)}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("accounts", nargs="*", type=Path)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    accounts = args.accounts or [ROOT / "outputs" / "demo" / n for n in ("fintech-staging", "fintech-production")]
    for src in accounts:
        if not (src / "notebooks").is_dir():
            print(f"{src}: no notebooks/ folder, skipped")
            continue
        with tempfile.TemporaryDirectory() as tmp:
            acct = Path(tmp) / src.name
            shutil.copytree(src, acct, ignore=shutil.ignore_patterns("report.*"))
            meta = {"client": "Benchmark Ltd", "prepared_by": "awsassess", "name": src.name}
            html_t = timed(lambda acct=acct, meta=meta: build_account_report(
                acct, meta, pdf=False, expected=standard_notebooks()), args.repeat)
            html = acct / "report.html"
            print(f"{src.name}: report.html {html.stat().st_size / 1e6:.2f} MB")
            print(f"  merge + HTML export   {fmt(html_t)}")
            if find_chromium():
                t = timed(lambda html=html, acct=acct: chromium_pdf(html, acct / "c.pdf"), args.repeat)
                print(f"  PDF chromium          {fmt(t)}  {(acct / 'c.pdf').stat().st_size / 1e6:.2f} MB")
            t = timed(lambda html=html, acct=acct: weasyprint_pdf(html, acct / "w.pdf"), args.repeat)
            print(f"  PDF weasyprint        {fmt(t)}  {(acct / 'w.pdf').stat().st_size / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
