"""``awsassess demo``: the whole assessment against the simulated two-account fintech estate.

1. launch the simulated estate: one moto server (behind our front door) per account, staging and
   production, forked after one shared warm-up, each seeding its account in parallel;
2. write one params file per account into ``OUT/params/`` (assume-role into each account, like a real
   run, at that account's server);
3. run the batch (collect -> analyze -> notebooks -> reports -> portfolio) as ``awsassess run`` does,
   started while the servers still seed: an account's collect step first waits until its server is
   seeded (:func:`collect_when_seeded`), so worker start-up overlaps the seeding;
4. stop the servers, print a summary table and where the reports are.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from awsassess.layout import ArtefactError, RunFolder
from awsassess.params import (
    AccountParams,
    AuthParams,
    CollectOptions,
    ReportParams,
    dump_params,
    load_params_files,
)

console = Console()
# the summary table must stay readable when captured (CI logs, pipes): never narrower than 160 columns
summary_console = Console(width=max(160, console.width))

DEMO_CLIENT = "Fintech Ltd (simulated estate)"
DEMO_PREPARED_BY = "awsassess demo"


def write_demo_params(endpoint_url: str | dict[str, str], params_dir: Path) -> list[Path]:
    """One params file per simulated account, reaching it by STS assume-role with an external id.

    ``endpoint_url``: the estate's URL, or one per account name (an estate per account).
    """
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
                endpoint_url=endpoint_url if isinstance(endpoint_url, str) else endpoint_url[spec.name],
            ),
            report=ReportParams(client=DEMO_CLIENT, prepared_by=DEMO_PREPARED_BY),
            # One collecting process: the simulated accounts are small, the batch collects them side by
            # side, and their estate servers use the same CPU cores as the collection.
            collect=CollectOptions(processes=1),
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


ESTATE_TIMEOUT_S = 600  # seconds an account's collection waits for its simulated server to be seeded


def collect_when_seeded(params: AccountParams, out_dir: Path) -> Any:
    """The demo's collect step: wait until the account's simulated estate is seeded, then collect
    exactly as ``awsassess run`` does."""
    from awsassess.batch.steps import real_collect
    from awsassess.demo.control import wait_until_seeded

    assert params.auth is not None and params.auth.endpoint_url, "demo params always name their estate"
    wait_until_seeded(params.auth.endpoint_url, timeout=ESTATE_TIMEOUT_S)
    return real_collect(params, out_dir)


def after_estate(environment: str, model_json: Path, waves: int | None) -> str:
    """The estate string of the after-migration estate (:mod:`awsassess.demo.seed_after`)."""
    return "after:" + json.dumps({"account": environment, "model": str(Path(model_json).resolve()), "waves": waves},
                                 separators=(",", ":"))


def run_demo_after(before: Path, out: Path, waves: int | None = None, jobs: int | None = None) -> int:
    """``awsassess demo --after``: the simulated estate as the ``before`` run's plan migrated it (the first
    ``waves`` waves, all when None), assessed into ``out`` and verified against ``before`` (run --baseline):
    progress.json, "Progress against the plan" in both reports, progress in the portfolio. Runs the before
    demo into ``before`` first when it has no plan there."""
    from awsassess.batch import StepFunctions, run_batch
    from awsassess.batch.runner import preload_modules, start_fork_server
    from awsassess.demo import Estate
    from awsassess.demo.estate import ACCOUNTS

    before, out = Path(before), Path(out)
    if before.resolve() == out.resolve():
        raise ValueError(f"--after-out {out} is the before run's folder. Fix: give the after run its own folder")
    if waves is not None and waves < 0:
        raise ValueError(f"--waves {waves}: must be 0 or more")
    plans = {spec.name: RunFolder(before).account(spec.name).model_json for spec in ACCOUNTS}
    if not all(p.is_file() for p in plans.values()):
        console.print(f"no plan in {before}: running the demo there first")
        code = run_demo(before, jobs=jobs)
        if code != 0 or not all(p.is_file() for p in plans.values()):
            console.print(Text(f"the before run in {before} did not complete (exit {code}): nothing to migrate",
                               style="bold red"))
            return max(1, code)
    started = time.perf_counter()
    use_simulated_credentials()
    estates: dict[str, Estate] = {}
    steps = StepFunctions(collect=collect_when_seeded)
    start_fork_server(preload_modules(steps))
    strings = {spec.name: after_estate(spec.environment, plans[spec.name], waves) for spec in ACCOUNTS}
    try:
        with console.status("starting the migrated estate (one moto server per account)..."):
            launched = Estate.launch_many(list(strings.values()), timeout=ESTATE_TIMEOUT_S)
            estates = {name: launched[s] for name, s in strings.items()}
        out.mkdir(parents=True, exist_ok=True)
        params_paths = write_demo_params({n: e.endpoint_url for n, e in estates.items()}, RunFolder(out).params)
        accounts = load_params_files(params_paths)
        result = run_batch(accounts, out, jobs=jobs, steps=steps, baseline=before)
    finally:
        for estate in estates.values():
            estate.stop()
    print_summary(out, accounts)
    print_progress(out, accounts)
    console.print(f"total {time.perf_counter() - started:.1f} s; run record: {RunFolder(out).run_json}")
    errors = simulation_errors(result.run)
    if errors:
        console.print(Text(f"the simulated estate gave {len(errors)} read error(s): see run.json", style="bold red"))
        for line in errors[:10]:
            console.print(f"  {line}", markup=False, highlight=False)
        return max(1, int(result.exit_code))
    return int(result.exit_code)


def print_progress(out: Path, accounts: list[AccountParams]) -> None:
    from awsassess.verify import read_progress

    table = Table(title="progress against the plan")
    for col in ("account", "waves done", "before", "now", "planned", "banked / promised", "findings resolved / open / new"):
        table.add_column(col)
    for acct in accounts:
        p = read_progress(RunFolder(out).account(acct.name)) or {}
        if not p or p.get("error"):
            table.add_row(acct.name, p.get("error", "not verified") if p else "not verified", "", "", "", "", "")
            continue
        s, m = p["summary"], p["money"]

        def usd(x: Any) -> str:
            return f"${x:,.0f}" if isinstance(x, int | float) else "-"

        f = s["findings"]
        table.add_row(acct.name, f"{s['waves_done']} of {s['waves']}", usd(m.get("before_usd")), usd(m.get("now_usd")),
                      usd(m.get("planned_usd")),
                      f"{usd(s['banked_saving_usd'])} / {usd(s['promised_saving_usd'])}"
                      + (f" ({s['banked_pct_of_promised']:g} %)" if isinstance(s.get("banked_pct_of_promised"),
                                                                          int | float) else ""),
                      f"{f['resolved']} / {f['open']} / {f['new']}")
    summary_console.print(table)


def run_demo(out: Path, jobs: int | None = None) -> int:
    from awsassess.batch import StepFunctions, run_batch
    from awsassess.batch.runner import preload_modules, start_fork_server
    from awsassess.demo import Estate
    from awsassess.demo.estate import ACCOUNTS

    out = Path(out)
    started = time.perf_counter()
    use_simulated_credentials()
    estates: dict[str, Estate] = {}
    steps = StepFunctions(collect=collect_when_seeded)
    # the batch's fork server imports papermill and the step modules while the estate warms up
    start_fork_server(preload_modules(steps))
    try:
        with console.status("starting the simulated estate (one moto server per account)..."):
            # one process warms moto up, then forks a server per account: they seed in parallel
            launched = Estate.launch_many([f"fintech:{spec.environment}" for spec in ACCOUNTS],
                                          timeout=ESTATE_TIMEOUT_S)
            estates = {spec.name: launched[f"fintech:{spec.environment}"] for spec in ACCOUNTS}
        serving_s = time.perf_counter() - started
        console.print("simulated estate serving in {:.1f} s: {} (seeding goes on; each account's collection "
                      "starts once its server is seeded)".format(
                          serving_s, ", ".join(f"{n} at {e.endpoint_url}" for n, e in estates.items())))
        out.mkdir(parents=True, exist_ok=True)
        params_paths = write_demo_params({n: e.endpoint_url for n, e in estates.items()}, RunFolder(out).params)
        accounts = load_params_files(params_paths)
        result = run_batch(accounts, out, jobs=jobs, steps=steps)
        estate_records: dict[str, dict[str, Any]] = {}
        demo = {"estate_serving_s": round(serving_s, 3), "estates": estate_records}
        for name, estate in estates.items():
            try:
                estate.wait_seeded(timeout=1)
                seeded = float(estate.info.get("server_start_s", 0)) + float(estate.info.get("seed_s", 0))
                estate_records[name] = {"seeded_s": round(seeded, 3), "timings": estate.timings}
            except Exception as exc:  # noqa: BLE001 - the collect step already recorded the failure
                estate_records[name] = {"error": str(exc).splitlines()[0]}
        RunFolder(out).demo_json.write_text(json.dumps(demo, indent=2))
    finally:
        for estate in estates.values():
            estate.stop()
    print_summary(out, accounts)
    console.print(f"total {time.perf_counter() - started:.1f} s; run record: {RunFolder(out).run_json}")
    errors = simulation_errors(result.run)
    if errors:  # the simulated estate is ground truth: a read error there is a bug, never a pass
        console.print(Text.assemble((f"the simulated estate gave {len(errors)} read error(s)", "bold red"),
                                    ": a bug in the simulation or a collector (see run.json):"), highlight=False)
        for line in errors[:10]:
            console.print(f"  {line}", markup=False, highlight=False)
        return max(1, int(result.exit_code))
    return int(result.exit_code)


def simulation_errors(run: dict[str, Any]) -> list[str]:
    """``account: problem`` for every read error and failed step of a demo run (run.json's content)."""
    from awsassess.batch.progress import account_problems

    return [f"{acct.get('name')}: {p}" for acct in run.get("accounts", []) for p in account_problems(acct)]


def print_summary(out: Path, accounts: list[AccountParams]) -> None:
    table = Table(title="awsassess demo: simulated fintech estate")
    for col in ("account", "status", "monthly now", "proposed", "saving", "pipeline now -> predicted",
                "findings", "report"):
        table.add_column(col)
    run_dir = RunFolder(out)
    run = run_dir.read_run(missing_ok=True)
    status = {a.get("name"): a.get("status", "?") for a in run.get("accounts", [])}
    for acct in accounts:
        d = run_dir.account(acct.name)
        try:
            summary = d.read_model(missing_ok=True).get("summary", {})
            n_findings = str(len(d.read_findings(missing_ok=True)))
        except ArtefactError as exc:  # the table still shows every account; the run's status says what failed
            console.print(f"{acct.name}: {exc}", markup=False, highlight=False)
            summary, n_findings = {}, "-"

        def money(key: str, s: dict = summary) -> str:
            return f"${s[key]:,.0f}" if isinstance(s.get(key), int | float) else "-"

        saving = (f"{money('saving_usd')} ({summary['saving_pct']:.0f}%)"
                  if isinstance(summary.get("saving_pct"), int | float) else "-")
        pipe = (f"{summary['pipeline_now_min']:.0f} -> {summary['pipeline_predicted_min']:.1f} min"
                if isinstance(summary.get("pipeline_predicted_min"), int | float) else "-")
        report = d.report_pdf if d.report_pdf.exists() else d.report_html
        table.add_row(acct.name, status.get(acct.name, "?"), money("current_monthly_usd"),
                      money("proposed_monthly_usd"), saving, pipe, n_findings,
                      str(report) if report.exists() else "-")
    summary_console.print(table)
    if run_dir.portfolio_html.exists():
        console.print(f"portfolio: {run_dir.portfolio_html}  {run_dir.portfolio_pdf}")
