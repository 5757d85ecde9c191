"""The ``awsassess`` command line (see README "Command line" and ../shared/INTERFACE.md).

Exit status: 0 all done; 1 some accounts or steps failed (the rest completed, run.json says which);
2 bad input (nothing was started).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated, Any, Literal, TypeGuard

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from awsassess import __version__
from awsassess.layout import ArtefactError, RunFolder
from awsassess.lifecycle import EXIT_SIGTERM, Terminated, sigterm_as_interrupt
from awsassess.params import ParamsError, load_params_files

app = typer.Typer(
    help="Read-only AWS architecture assessment: inventory, findings, cost model, diagrams, client reports.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
params_app = typer.Typer(help="Write and check params files (one per account).", no_args_is_help=True)
prices_app = typer.Typer(help="The offline price catalog.", no_args_is_help=True)
app.add_typer(params_app, name="params")
app.add_typer(prices_app, name="prices")

# Messages carry text from AWS, YAML and paths: never read as Rich markup ("[/x]" in an error once
# crashed a batch and swallowed a YAML caret). Styles are applied with Text, not with markup.
err = Console(stderr=True, markup=False, highlight=False)
out = Console(markup=False, highlight=False)

ParamsFiles = Annotated[list[Path], typer.Argument(help="params/*.yaml files, one per account")]
def _check_out_dir(value: Path) -> Path:
    """--out must be a folder (or not exist yet), never a file or a symbolic link."""
    if value.is_symlink():
        raise typer.BadParameter(f"{value} is a symbolic link. Fix: give the real folder (awsassess does not "
                                 "write through links)")
    if value.exists() and not value.is_dir():
        raise typer.BadParameter(f"{value} is a file, not a folder. Fix: give a folder (it is created if missing)")
    return value


OutDir = Annotated[Path, typer.Option("--out", help="output folder (one sub-folder per account)",
                                      callback=_check_out_dir)]
Jobs = Annotated[int | None, typer.Option("--jobs", min=1, help="parallel notebook workers (default: cores)")]


def _bad_input(message: str) -> typer.Exit:
    err.print(Text.assemble(("error:", "bold red"), " ", str(message)), soft_wrap=True)
    return typer.Exit(2)


def _is_executor(name: str) -> TypeGuard[Literal["local", "dask"]]:
    """``--executor`` names one of :func:`awsassess.batch.run_batch`'s executors."""
    return name in ("local", "dask")


def _load(paths: list[Path]):  # noqa: ANN202
    for path in paths:  # a file that is not UTF-8 text: one line naming it, not a traceback
        try:
            path.read_bytes().decode("utf-8")
        except UnicodeDecodeError as exc:
            raise _bad_input(f"{path}: not UTF-8 text (byte {exc.start}: {exc.object[exc.start:exc.start + 1]!r}). "
                             "Fix: save the params file as UTF-8") from None
        except OSError as exc:
            raise _bad_input(f"{path}: cannot read it ({exc.strerror}). Fix: give an existing params file") from None
    try:
        return load_params_files(paths)
    except ParamsError as exc:
        raise _bad_input(str(exc)) from None


def _version(value: bool) -> None:
    if value:
        out.print(f"awsassess {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True, help="print the version")] = False,
) -> None:
    """awsassess: read-only AWS architecture assessment suite."""
    from awsassess.batch.steps import skip_iri_checker

    # in this CLI process only: jsonschema's optional IRI check (never used by our schemas) would
    # compile a grammar at import, seconds of start-up for analyze/report/run (see batch._preload)
    skip_iri_checker()


@app.command()
def demo(
    out_dir: OutDir = Path("outputs/demo"),
    jobs: Jobs = None,
    after: Annotated[bool, typer.Option("--after", help="migrate the simulated estate by the plan of the run in --out (run first when absent), assess it into --after-out and verify it against that run")] = False,
    waves: Annotated[int | None, typer.Option("--waves", help="with --after: apply only the first N migration waves (default: all)")] = None,
    after_out: Annotated[Path | None, typer.Option("--after-out", help="with --after: the migrated estate's run folder (default: <out>-after)")] = None,
) -> None:
    """Run the whole assessment against the simulated two-account fintech estate (no AWS account needed)."""
    from awsassess.demo_run import run_demo, run_demo_after

    if (waves is not None or after_out is not None) and not after:
        raise _bad_input("--waves and --after-out go with --after. Fix: add --after")
    if waves is not None and waves < 0:
        raise _bad_input(f"--waves {waves}: must be 0 or more (the number of migration waves applied)")
    target = after_out or out_dir.with_name(out_dir.name + "-after")
    if after and target.resolve() == out_dir.resolve():
        raise _bad_input(f"--after-out {target} is the before run's folder. Fix: give the after run its own folder")
    try:
        with sigterm_as_interrupt():
            code = (run_demo_after(out_dir, target, waves=waves, jobs=jobs) if after
                    else run_demo(out_dir, jobs=jobs))
    except KeyboardInterrupt as exc:
        err.print(f"interrupted: {RunFolder(out_dir).run_json} records what finished")
        raise typer.Exit(EXIT_SIGTERM if isinstance(exc, Terminated) else 130) from None
    raise typer.Exit(code)


@app.command()
def run(
    params: ParamsFiles,
    out_dir: OutDir,
    jobs: Jobs = None,
    resume: Annotated[bool, typer.Option("--resume", help="re-run only what failed or whose inputs changed")] = False,
    executor: Annotated[str, typer.Option("--executor", help="local | dask")] = "local",
    scheduler: Annotated[str | None, typer.Option("--scheduler", help="Dask scheduler address (with --executor dask; none = a local cluster)")] = None,
    fresh_kernels: Annotated[bool, typer.Option("--fresh-kernels", help="a new Jupyter kernel per notebook (default: each worker keeps one, reset between notebooks)")] = False,
    offline: Annotated[bool, typer.Option("--offline", help="never ask the Price List API for prices the offline catalog lacks (they are estimated or left unpriced)")] = False,
    baseline: Annotated[Path | None, typer.Option("--baseline", help="an earlier run folder: verify every account against its plan (progress.json, \"Progress against the plan\" in the reports, progress in the portfolio)")] = None,
) -> None:
    """Assess every account of PARAMS: collect, analyse, notebooks, reports, portfolio."""
    accounts = _load(params)
    if not _is_executor(executor):
        raise _bad_input(f"--executor: {executor!r} is not one of local, dask")
    from awsassess.batch import BatchInputError, run_batch
    from awsassess.batch.dask_runner import DaskSchedulerError

    try:
        with sigterm_as_interrupt():  # SIGTERM stops the run as Ctrl-C does (run.json: interrupted)
            result = run_batch(accounts, out_dir, jobs=jobs, resume=resume, executor=executor,
                               scheduler=scheduler, warm_kernels=not fresh_kernels, offline=offline,
                               baseline=baseline)
    except BatchInputError as exc:
        raise _bad_input(str(exc)) from None
    except DaskSchedulerError as exc:
        raise _bad_input(str(exc)) from None
    except KeyboardInterrupt as exc:
        err.print(f"interrupted: {RunFolder(out_dir).run_json} records what finished; `--resume` continues")
        raise typer.Exit(EXIT_SIGTERM if isinstance(exc, Terminated) else 130) from None
    from awsassess.batch.progress import run_table

    out.print(run_table(result.run))
    out.print(f"run record: {result.run_json}  (exit {result.exit_code}: "
              f"{'all complete' if result.exit_code == 0 else 'some accounts are partial or failed'})",
              markup=False, highlight=False)
    raise typer.Exit(result.exit_code)


@app.command()
def collect(
    params: Annotated[Path, typer.Argument(help="one params file")],
    out_dir: OutDir,
) -> None:
    """Collect a snapshot only (read-only API calls) into OUT/<name>/snapshot."""
    (account,) = _load([params])
    from awsassess.aws import AccountMismatchError, AwsSessionError
    from awsassess.collect import collect_account, rich_progress
    from awsassess.collect.contract import CollectionError

    try:
        with rich_progress(console=err, disable=not err.is_terminal) as progress:
            snapshot = collect_account(account, out_dir, progress=progress)
    except (AwsSessionError, AccountMismatchError, CollectionError) as exc:
        err.print(Text.assemble(("collection failed:", "bold red"), " ", str(exc)), soft_wrap=True)
        raise typer.Exit(1) from None
    cov = snapshot.table("coverage")
    failed = cov[cov["status"] != "ok"] if len(cov) else cov
    out.print(f"snapshot: {snapshot.path}  ({sum(snapshot.manifest.get('tables', {}).values())} rows, "
              f"{len(cov)} API operations, {len(failed)} not readable)")
    raise typer.Exit(0)


@app.command()
def analyze(
    snapshot_dir: Annotated[Path, typer.Argument(help="a snapshot folder (DIR/<name>/snapshot)")],
    out_dir: OutDir,
    params: Annotated[Path | None, typer.Option("--params", help="params file whose assumptions (and, unless --offline, credentials for missing prices) to use")] = None,
    offline: Annotated[bool, typer.Option("--offline", help="never ask the Price List API for missing prices")] = False,
) -> None:
    """Everything after collection: findings, costs, diagrams into OUT. No AWS call, except, with --params and
    without --offline, pricing:GetProducts for prices the offline catalog lacks."""
    from awsassess.analyze import analyze as run_analyze
    from awsassess.analyze import fetch_missing_prices
    from awsassess.snapshot import SnapshotError

    account = _load([params])[0] if params else None
    assumptions = account.assumptions if account else {}
    try:
        written = run_analyze(snapshot_dir, out_dir, assumptions)
        if account is not None and not offline:
            fetched = fetch_missing_prices(out_dir, account)
            if fetched is not None:
                err.print(f"prices: {fetched}")
                if fetched.refreshed:
                    written = run_analyze(snapshot_dir, out_dir, assumptions)
    except SnapshotError as exc:
        raise _bad_input(str(exc)) from None
    for name, path in written.items():
        out.print(f"{name}: {path}")


@app.command()
def report(
    run_dir: Annotated[Path, typer.Argument(help="a run folder (the --out of `run` or `demo`)")],
) -> None:
    """Rebuild the HTML/PDF reports and the portfolio of a run from its executed notebooks."""
    from awsassess.report import build_account_report, build_portfolio
    from awsassess.report_meta import account_meta

    run = RunFolder(run_dir)
    try:  # names come back from a file: validate every one before anything is written
        run_json = run.read_run()
        accounts = run_json.get("accounts") or []
        folders = run.account_folders(run_json)
    except (ArtefactError, ValueError) as exc:
        raise _bad_input(str(exc)) from None
    for acct, folder in zip(accounts, folders, strict=True):
        if folder.notebooks.is_dir():
            paths = build_account_report(folder.path, account_meta(folder, acct if isinstance(acct, dict) else None))
            out.print(f"{folder.name}: {paths.get('html')}  {paths.get('pdf')}")
    paths = build_portfolio(run_dir)
    out.print(f"portfolio: {paths.get('html')}  {paths.get('pdf')}")


@app.command()
def verify(
    before: Annotated[Path, typer.Argument(help="the baseline: an account folder (DIR/<name>) or a run folder (DIR) whose plan is followed")],
    after: Annotated[Path, typer.Argument(help="the later assessment of the same account(s): an account folder or a run folder")],
    previous: Annotated[Path | None, typer.Option("--previous", help="an earlier progress.json against the same baseline: findings it saw resolved that are back read as regressed")] = None,
    report: Annotated[bool, typer.Option("--report/--no-report", help="add \"Progress against the plan\" to AFTER's reports (when AFTER has executed notebooks) and rebuild them")] = True,
) -> None:
    """Progress of AFTER against BEFORE's plan: waves done, saving banked vs promised, findings resolved,
    delivery and inventory; writes AFTER/<name>/progress.json (see docs/progress.md). Offline."""
    import json

    from awsassess.verify import VerifyError, verify_account, verify_pairs, write_progress

    try:
        pairs, skipped = verify_pairs(before, after)
        prev = json.loads(previous.read_text()) if previous is not None else None
    except (VerifyError, OSError, ValueError) as exc:
        raise _bad_input(f"{exc}") from None
    for line in skipped:
        err.print(f"not compared: {line}")
    results = []
    for b, a in pairs:
        try:
            progress = verify_account(b, a, previous=prev)
        except VerifyError as exc:
            raise _bad_input(str(exc)) from None
        path = write_progress(progress, a)
        results.append((a, progress, path))
    table = Table("account", "waves done", "banked / promised ($/month)", "findings resolved / open / new / regressed",
                  "progress.json")
    for a, p, path in results:
        s = p.summary
        f = s["findings"]
        banked, promised = s["banked_saving_usd"], s["promised_saving_usd"]
        table.add_row(a.name, f"{s['waves_done']} of {s['waves']}",
                      "–" if banked is None or promised is None else
                      f"{banked:,.0f} / {promised:,.0f}" + (f" ({s['banked_pct_of_promised']:g} %)"
                                                            if s["banked_pct_of_promised"] is not None else ""),
                      f"{f['resolved']} / {f['open']} / {f['new']} / {f['regressed']}", str(path))
    out.print(table)
    if not report:
        raise typer.Exit(0)
    from awsassess.verify.publish import republish

    run = RunFolder(after)
    entries: dict[str, dict[str, Any]] = {}
    if run.run_json.is_file():
        try:
            entries = {str(e.get("name")): e for e in run.read_run().get("accounts") or [] if isinstance(e, dict)}
        except ArtefactError:
            entries = {}
    for a, _, _ in results:
        if a.notebooks.is_dir():
            paths = republish(a, entries.get(a.name))
            out.print(f"{a.name}: report with progress {paths.get('html')}  {paths.get('pdf')}")
    if run.run_json.is_file():
        from awsassess.report import build_portfolio

        paths = build_portfolio(after)
        out.print(f"portfolio: {paths.get('html')}  {paths.get('pdf')}")
    raise typer.Exit(0)


@app.command()
def iac(
    account_dir: Annotated[Path, typer.Argument(help="an analysed account folder (DIR/<name>, holding snapshot/)")],
    params: Annotated[Path | None, typer.Option("--params", help="params file whose assumptions to use (else the defaults)")] = None,
    no_checks: Annotated[bool, typer.Option("--no-checks", help="write the files without running the offline checks")] = False,
) -> None:
    """Write DIR/<name>/iac/: the proposed architecture as a Terraform root module (data stores imported, never
    recreated) and one GitHub Actions workflow per service, then check them offline (parse, terraform fmt,
    module and provider schemas, references, pinned actions, workflow schema, zizmor). Exit 1 when a check fails."""
    from awsassess.iac import generate_for_account
    from awsassess.layout import AccountFolder, ArtefactError
    from awsassess.snapshot import SnapshotError

    account = _load([params])[0] if params else None
    try:
        with err.status(f"generating the exit kit of {account_dir.name} ..."):
            kit = generate_for_account(account_dir, run_checks=not no_checks,
                                       assumptions=account.assumptions if account else None)
    except (SnapshotError, ArtefactError, FileNotFoundError) as exc:
        raise _bad_input(str(exc)) from None
    summary = kit.summary()
    folder = AccountFolder.of(account_dir)
    iac_dir = folder.iac
    if kit.empty:
        out.print(f"{account_dir.name}: nothing to migrate; {folder.iac_readme} says why")
        raise typer.Exit(0)
    out.print(f"{account_dir.name}: {len(summary['files'])} files in {iac_dir}, "
              f"{sum(summary['resources'].values())} resources and module calls, {len(summary['imports'])} imports, "
              f"{len(summary['workflows'])} workflows")
    failed = [c for c in kit.checks if c["status"] == "failed"]
    for c in kit.checks:
        out.print(f"  {c['status']:>13}  {c['check']}" + (f": {c['detail']}" if c["detail"] else ""))
    if failed:
        raise typer.Exit(1)


@params_app.command("init")
def params_init(
    out_dir: Annotated[Path, typer.Option("--out", help="folder for the params files")] = Path("params"),
    from_organization: Annotated[bool, typer.Option("--from-organization", help="one file per ACTIVE account of the AWS Organization")] = False,
    profile: Annotated[str | None, typer.Option("--profile", help="AWS profile (management/delegated account with --from-organization)")] = None,
    role_name: Annotated[str, typer.Option("--role-name", help="role to assume in each account")] = "AssessmentReadOnly",
    external_id: Annotated[str | None, typer.Option("--external-id", help="sts:ExternalId of that role")] = None,
    region: Annotated[list[str] | None, typer.Option("--region", help="region to assess (repeat)")] = None,
    endpoint_url: Annotated[str | None, typer.Option("--endpoint-url", help="custom endpoint (simulated estate)")] = None,
    force: Annotated[bool, typer.Option("--force", help="overwrite existing files")] = False,
) -> None:
    """Write params files: --from-organization (every active account) or --profile (one account)."""
    from awsassess import params_init as pi

    regions = region or ["us-east-1"]
    try:
        if from_organization:
            written = pi.from_organization(management_profile=profile, role_name=role_name, external_id=external_id,
                                           endpoint_url=endpoint_url, regions=regions, out_dir=out_dir, force=force)
        elif profile:
            written = [pi.from_profile(profile, regions=regions, endpoint_url=endpoint_url, out_dir=out_dir, force=force)]
        else:
            raise _bad_input("give --from-organization or --profile PROFILE")
    except (FileExistsError, ParamsError, ValueError) as exc:
        raise _bad_input(str(exc)) from None
    for path in written:
        out.print(f"wrote {path}")


@params_app.command("check")
def params_check(params: ParamsFiles) -> None:
    """Validate params files; exit 2 with the file, field and fix on the first bad one."""
    for account in _load(params):
        out.print(f"ok  {account.source}  ({account.name}, {account.account_id}, {', '.join(account.regions)})")


@app.command("export")
def export(
    notebook: Annotated[Path, typer.Argument(help="an executed notebook (.ipynb): DIR/<name>/notebooks/NN_name.ipynb, "
                                                  "or one you ran in JupyterLab")],
    out_file: Annotated[Path | None, typer.Option("--out", help="the HTML file to write, or a folder (default: NAME.html "
                                                                "next to the notebook); never the account's report.html")] = None,
) -> None:
    """Export ONE executed notebook as a standalone HTML page, as its section of the report looks: no code,
    report-hidden cells removed, images inline, no script or CDN, the report's stylesheet. A notebook with an
    error output, or never run, is refused (exit 2). `awsassess report DIR` rebuilds whole reports."""
    from awsassess.report import ReportError, export_notebook

    try:
        path = export_notebook(notebook, out_file)
    except (ReportError, OSError) as exc:
        raise _bad_input(str(exc)) from None
    out.print(f"{notebook}: {path}")


@app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def lab(
    ctx: typer.Context,
    directory: Annotated[Path | None, typer.Argument(help="a run folder (the --out of `awsassess run`/`demo`) or a "
                                                          "folder holding runs; default: outputs/demo")] = None,
    account: Annotated[str | None, typer.Option("--account", help="the account to open first (default: the "
                                                                  "session's last choice, else the first)")] = None,
    session: Annotated[Path | None, typer.Option("--session", help="the session and scratch folder (default: "
                                                                   "outputs/lab): the choice, what-if diagrams, "
                                                                   "saved scenarios")] = None,
    port: Annotated[int | None, typer.Option("--port", help="port (default: JupyterLab's, 8888 or the next free)")] = None,
    browser: Annotated[bool, typer.Option("--browser/--no-browser", help="open a web browser")] = False,
) -> None:
    """Explore a run in JupyterLab: one account chosen for every notebook (change it in 00_summary's picker),
    what-if controls, sortable tables. Nothing delivered is overwritten; what exploring draws goes to the
    session folder. Extra arguments go to `jupyter lab` (e.g. --ServerApp.token=...)."""
    from awsassess.lab.server import LabError, plan, start

    try:
        chosen = plan(directory, account, session)
    except (LabError, ValueError, ArtefactError) as exc:
        raise _bad_input(str(exc)) from None
    err.print(f"JupyterLab on {chosen.root}: {chosen.choice.account} of {chosen.choice.run} "
              f"(session {chosen.session})", soft_wrap=True)
    start(chosen, list(ctx.args), port=port, browser=browser)


@app.command("iam-policy")
def iam_policy(
    cloudformation: Annotated[bool, typer.Option("--cloudformation", help="print a CloudFormation template of a cross-account role instead")] = False,
) -> None:
    """Print the least-privilege read-only IAM policy (JSON) generated from the collectors' declared calls."""
    from awsassess import iam

    if cloudformation:
        sys.stdout.write(iam.cloudformation_role_template())
    else:
        sys.stdout.write(json.dumps(iam.read_only_policy(), indent=2) + "\n")


@app.command()
def assumptions() -> None:
    """List every assumption (rule thresholds, cost-model defaults) with its default; override them in params."""
    from rich.table import Table

    from awsassess.assumptions import describe

    table = Table()
    table.add_column("key", no_wrap=True, overflow="fold")
    table.add_column("default", overflow="fold")
    table.add_column("unit", overflow="fold")
    table.add_column("description", overflow="fold")
    for row in describe():
        table.add_row(row["key"], repr(row["default"]), row["unit"], row["description"])
    Console(width=max(160, out.width)).print(table)  # stays readable when piped or captured


@prices_app.command("show")
def prices_show(
    region: Annotated[str | None, typer.Option("--region")] = None,
    service: Annotated[str | None, typer.Option("--service")] = None,
) -> None:
    """Show the offline price catalog (with each price's source, date and confidence)."""
    from awsassess import pricing

    df = pricing.show(region=region, service=service)
    with_pd_opts = os.environ.get("COLUMNS")  # let pandas use the terminal width
    out.print(df.to_string(index=False, max_colwidth=60 if not with_pd_opts else None))


@prices_app.command("refresh")
def prices_refresh(
    region: Annotated[list[str] | None, typer.Option("--region", help="region to refresh (repeat)")] = None,
    endpoint_url: Annotated[str | None, typer.Option("--endpoint-url", help="custom endpoint (simulated estate)")] = None,
    profile: Annotated[str | None, typer.Option("--profile")] = None,
) -> None:
    """Refresh prices from the AWS Price List Query API into the local cache."""
    from awsassess import pricing

    path = pricing.refresh(endpoint_url=endpoint_url, regions=region or ["us-east-1"], profile=profile)
    out.print(f"price cache: {path}")


if __name__ == "__main__":  # pragma: no cover
    app()
