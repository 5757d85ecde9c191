"""``awsassess demo``: the whole assessment against the simulated two-account fintech estate.

1. start the simulated estate (a moto server behind our front door, seeded with staging + production);
2. write one params file per account into ``OUT/params/`` (assume-role into each account, like a real run);
3. run the batch (collect -> analyze -> notebooks -> reports -> portfolio) exactly as ``awsassess run`` does;
4. stop the server, print a summary table and where the reports are.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from awsassess.params import AccountParams, AuthParams, ReportParams, dump_params, load_params_files

console = Console()
# the summary table must stay readable when captured (CI logs, pipes): never narrower than 160 columns
summary_console = Console(width=max(160, console.width))

DEMO_CLIENT = "Fintech Ltd (simulated estate)"
DEMO_PREPARED_BY = "awsassess demo"


def write_demo_params(endpoint_url: str, params_dir: Path) -> list[Path]:
    """One params file per simulated account, reaching it by STS assume-role with an external id."""
    from awsassess.demo.estate import ACCOUNTS, AUDIT_EXTERNAL_ID, AUDIT_ROLE_NAME

    params_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for spec in ACCOUNTS:
        params = AccountParams(
            name=spec.name,
            account_id=spec.account_id,
            environment=spec.environment,
            regions=[spec.region],
            auth=AuthParams(
                role_arn=f"arn:aws:iam::{spec.account_id}:role/{AUDIT_ROLE_NAME}",
                external_id=AUDIT_EXTERNAL_ID,
                endpoint_url=endpoint_url,
            ),
            report=ReportParams(client=DEMO_CLIENT, prepared_by=DEMO_PREPARED_BY),
        )
        path = params_dir / f"{spec.name}.yaml"
        tmp = path.with_suffix(".yaml.tmp")
        tmp.write_text("# written by `awsassess demo` for the simulated estate\n" + dump_params(params))
        tmp.replace(path)
        paths.append(path)
    return paths


def use_simulated_credentials() -> None:
    """Dummy credentials for the simulated estate (never used against AWS: every client has its endpoint)."""
    os.environ["AWS_ACCESS_KEY_ID"] = "testing"
    os.environ["AWS_SECRET_ACCESS_KEY"] = "testing"
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    for var in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
        os.environ.pop(var, None)


def run_demo(out: Path, jobs: int | None = None) -> int:
    from awsassess.batch import run_batch
    from awsassess.demo import Estate

    out = Path(out)
    started = time.perf_counter()
    use_simulated_credentials()
    with console.status("starting the simulated estate (moto, staging + production)..."):
        estate = Estate.start(estate="fintech")
    estate_s = time.perf_counter() - started
    try:
        console.print(f"simulated estate ready at {estate.endpoint_url} in {estate_s:.1f} s")
        out.mkdir(parents=True, exist_ok=True)
        (out / "demo.json").write_text(json.dumps(
            {"estate_start_s": round(estate_s, 3), "estate_timings": estate.timings}, indent=2))
        params_paths = write_demo_params(estate.endpoint_url, out / "params")
        accounts = load_params_files(params_paths)
        result = run_batch(accounts, out, jobs=jobs)
    finally:
        estate.stop()
    print_summary(out, accounts)
    console.print(f"total {time.perf_counter() - started:.1f} s; run record: {out / 'run.json'}")
    return int(result.exit_code)


def print_summary(out: Path, accounts: list[AccountParams]) -> None:
    table = Table(title="awsassess demo: simulated fintech estate")
    for col in ("account", "status", "monthly now", "proposed", "saving", "pipeline now -> predicted",
                "findings", "report"):
        table.add_column(col)
    run = json.loads((out / "run.json").read_text()) if (out / "run.json").exists() else {}
    status = {a.get("name"): a.get("status", "?") for a in run.get("accounts", [])}
    for acct in accounts:
        d = out / acct.name
        summary = {}
        if (d / "model.json").exists():
            summary = json.loads((d / "model.json").read_text()).get("summary", {})
        findings = json.loads((d / "findings.json").read_text()) if (d / "findings.json").exists() else []

        def money(key: str, s: dict = summary) -> str:
            return f"${s[key]:,.0f}" if isinstance(s.get(key), int | float) else "-"

        saving = (f"{money('saving_usd')} ({summary['saving_pct']:.0f}%)"
                  if isinstance(summary.get("saving_pct"), int | float) else "-")
        pipe = (f"{summary['pipeline_now_min']:.0f} -> {summary['pipeline_predicted_min']:.1f} min"
                if isinstance(summary.get("pipeline_predicted_min"), int | float) else "-")
        report = d / "report.pdf" if (d / "report.pdf").exists() else d / "report.html"
        table.add_row(acct.name, status.get(acct.name, "?"), money("current_monthly_usd"),
                      money("proposed_monthly_usd"), saving, pipe, str(len(findings)),
                      str(report) if report.exists() else "-")
    summary_console.print(table)
    portfolio = out / "portfolio.html"
    if portfolio.exists():
        console.print(f"portfolio: {portfolio}  {out / 'portfolio.pdf'}")
