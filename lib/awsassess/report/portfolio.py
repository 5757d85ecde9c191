"""The portfolio: every account of a run side by side -> ``DIR/portfolio.html`` + ``DIR/portfolio.pdf``.

Read from the run folder only: ``run.json`` (which accounts ran, which failed) and, per account
folder, ``findings.json``, ``costs.csv`` and ``model.json``. Each account links to its own
``<name>/report.html`` (relative link, HTML only; the PDF carries no file links because Chromium
would turn them into absolute ``file://`` paths of this machine).
"""

from __future__ import annotations

import base64
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
import markupsafe

from awsassess import __version__
from awsassess.layout import RESERVED_RUN_FOLDERS, AccountFolder, ArtefactError, RunFolder
from awsassess.report.export import css_string, display_date, logo_data_uri, templates_dir
from awsassess.report.merge import ReportError
from awsassess.report.navigation import finish_page
from awsassess.report.pdf import html_to_pdf
from awsassess.report.render import SEVERITIES, cost_bars_png, is_number, minutes, money, pct, truncate
from awsassess.report.summary import DOMAIN_LABELS, Results, headline, saving_money, top_findings
from awsassess.safe_files import write_text_atomic

log = logging.getLogger(__name__)

FAILED_STATES = {"failed", "error", "errored", "crashed", "timeout", "timed_out"}
OK_STATES = {"ok", "done", "success", "succeeded", "complete", "completed", "skipped", "resumed", "cached"}


@dataclass
class AccountEntry:
    name: str
    folder: AccountFolder
    account_id: str = ""
    environment: str = ""
    status: str = "ok"  # ok | partial | failed
    problem: str = ""
    info: dict[str, Any] = field(default_factory=dict)


def _load_run(run: RunFolder) -> dict[str, Any]:
    """run.json ({} without one: the portfolio then shows the account folders it finds)."""
    try:
        return run.read_run(missing_ok=True)
    except ArtefactError as exc:
        raise ReportError(f"{exc.path}: {exc.reason}. Fix: re-run the batch, or delete {exc.path.name}") from None


def _error_text(error: Any) -> str:
    if isinstance(error, dict):
        return str(error.get("message") or error.get("type") or "")
    return str(error or "")


def _status_of(info: dict[str, Any], folder: AccountFolder) -> tuple[str, str]:
    """(ok | partial | failed, short reason) from one account's run.json entry and its folder.

    An account whose run failed but whose folder holds the analysis (findings/costs) is "partial":
    its figures are shown, with the failed steps named.
    """
    status = str(info.get("status", "") or "").lower()
    error = _error_text(info.get("error") or info.get("message"))
    steps = info.get("steps") or {}
    step_items = steps.items() if isinstance(steps, dict) else (
        ((s.get("step") or s.get("name") or "?"), s) for s in steps if isinstance(s, dict))
    failed_steps = []
    problems: list[str] = []
    for name, step in step_items:
        if isinstance(step, dict):
            problems.extend(str(p) for p in step.get("problems") or [])
        st = step.get("status") if isinstance(step, dict) else step
        if str(st or "").lower() in FAILED_STATES:
            failed_steps.append(str(name))
            if not error and isinstance(step, dict):
                error = _error_text(step.get("error") or step.get("message"))
    has_data = folder.has_analysis()
    named = f"failed: {', '.join(failed_steps)}" if failed_steps else ""
    if status in FAILED_STATES and not has_data:
        return "failed", " \u2014 ".join(x for x in (named, error.splitlines()[0] if error else "") if x) or "the run failed"
    read = (f"{len(problems)} read error(s), e.g. {problems[0]}" if problems else "")
    if failed_steps or problems or status in FAILED_STATES or status in {"partial", "partially_failed"}:
        return "partial", " — ".join(x for x in (named, read) if x) or error or "some steps failed"
    if status in {"pending", "running"} and not has_data:
        return "failed", f"not finished ({status})"
    return "ok", ""


def discover_accounts(run_dir: Path | RunFolder, run: dict[str, Any]) -> list[AccountEntry]:
    """Accounts listed in run.json, plus account folders on disk that it does not list."""
    folder = RunFolder.of(run_dir)
    listed = run.get("accounts") or []
    if isinstance(listed, dict):
        listed = [{"name": k, **(v if isinstance(v, dict) else {"status": v})} for k, v in listed.items()]
    entries: dict[str, AccountEntry] = {}
    for info in listed:
        if not isinstance(info, dict) or not info.get("name"):
            continue
        try:  # a name from a file: never a path out of the run folder
            acct = folder.account(info["name"], from_run_json=True)
        except ValueError as exc:
            raise ReportError(str(exc)) from None
        status, problem = _status_of(info, acct)
        entries[acct.name] = AccountEntry(name=acct.name, folder=acct, account_id=str(info.get("account_id") or ""),
                                     environment=str(info.get("environment") or ""), status=status,
                                     problem=problem, info=info)
    root = folder.path
    for sub in sorted(p for p in root.iterdir() if p.is_dir() and not p.is_symlink()) if root.is_dir() else []:
        if sub.name in entries or sub.name.startswith(".") or sub.name in RESERVED_RUN_FOLDERS:
            continue
        found = AccountFolder(sub)
        if found.has_analysis() or found.report_html.is_file():
            entries[sub.name] = AccountEntry(name=sub.name, folder=found)
    for e in entries.values():
        if not e.account_id or not e.environment:
            try:
                m = e.folder.read_manifest(missing_ok=True)
            except ArtefactError:  # a damaged manifest costs the row its account id, not the portfolio
                m = {}
            e.account_id = e.account_id or str(m.get("account_id") or "")
            e.environment = e.environment or str(m.get("environment") or "")
    return list(entries.values())


def _chart_png(rows: list[dict[str, Any]]) -> bytes | None:
    data = [r for r in rows if r["_current"] is not None]
    if not data:
        return None
    return cost_bars_png([r["name"] for r in data], [r["_current"] for r in data], [r["_proposed"] for r in data])


def _branding_from_params(accounts: list[AccountEntry]) -> dict[str, Any]:
    """Client / prepared by / logo from the accounts' params files (named in run.json), when they agree."""
    try:
        from awsassess.report_meta import account_meta
    except ImportError:
        return {}
    found: dict[str, set[Any]] = {"client": set(), "prepared_by": set(), "logo": set()}
    for a in accounts:
        if not a.info.get("params"):
            continue
        try:
            m = account_meta(a.folder, a.info)
        except Exception:  # an unreadable params file only costs the cover its branding
            continue
        for key in found:
            if m.get(key):
                found[key].add(m[key])
    return {k: next(iter(v)) for k, v in found.items() if len(v) == 1}


def high_risks(findings: list[dict[str, Any]]) -> int:
    """High-severity security and reliability findings (the "Reliability and security" section's lens)."""
    from awsassess.views.pillars import high_risks as count

    return count(findings)


def progress_cell(folder: AccountFolder) -> str:
    """The account's progress at a glance (waves done, saving banked of promised), "" when never verified."""
    from awsassess.verify import read_progress

    try:
        p = read_progress(folder)
    except ArtefactError as exc:
        return f"progress.json unreadable: {exc.reason}"
    if p is None:
        return ""
    if p.get("error"):
        return f"not measured: {truncate(str(p['error']), 120)}"
    s = p.get("summary") or {}
    banked, promised, pct_ = s.get("banked_saving_usd"), s.get("promised_saving_usd"), s.get("banked_pct_of_promised")
    f = s.get("findings") or {}
    text = f"{s.get('waves_done', 0)} of {s.get('waves', 0)} waves done"
    if is_number(banked) and is_number(promised):
        text += f"; {money(banked)} of {money(promised)} banked" + (f" ({pct(pct_)})" if is_number(pct_) else "")
    return text + f"; {f.get('resolved', 0)} findings resolved, {f.get('regressed', 0)} regressed"


def portfolio_context(run_dir: Path, meta: dict[str, Any] | None = None) -> dict[str, Any]:
    """Everything the portfolio template shows (plain values; the template escapes them)."""
    run = _load_run(RunFolder.of(run_dir))
    meta = dict(meta or {})
    rep = report if isinstance(report := run.get("report"), dict) else {}
    client = str(meta.get("client") or rep.get("client") or run.get("client") or "")
    prepared_by = str(meta.get("prepared_by") or rep.get("prepared_by") or run.get("prepared_by") or "")
    accounts = discover_accounts(run_dir, run)
    if not client or not prepared_by:
        branding = _branding_from_params(accounts)
        client = client or branding.get("client", "")
        prepared_by = prepared_by or branding.get("prepared_by", "")
        meta.setdefault("logo", branding.get("logo"))
    if not accounts:
        raise ReportError(f"{run_dir}: no accounts found (no run.json entries, no account folders with analysis files "
                          "or a report). Fix: point at the --out folder of `awsassess run` / `awsassess demo`")
    rows: list[dict[str, Any]] = []
    top: list[dict[str, Any]] = []
    for a in accounts:
        row: dict[str, Any] = {"name": a.name, "account_id": a.account_id, "environment": a.environment,
                               "status": a.status, "problem": truncate(a.problem.splitlines()[0] if a.problem else "", 160), "link": "", "_current": None,
                               "_proposed": None, "_saving": None}
        if a.folder.report_html.is_file():
            row["link"] = a.folder.report_html.relative_to(a.folder.path.parent).as_posix()
        results = None
        if a.status != "failed":
            try:
                results = Results.read(a.folder)
            except ArtefactError as exc:  # a damaged file: the account is shown failed, with the file named
                log.warning("portfolio: %s", exc)  # the full path and fix for the operator; the client sees the name
                a.status, a.problem = "failed", f"{exc.path.name}: {exc.reason}"
                row.update(status=a.status, problem=truncate(a.problem, 160))
        if results is None:
            row.update(current="", proposed="", saving="", saving_pct="", high="", medium="", low="", info="",
                       pipeline="", status_label="Failed", progress="", high_risks="")
            rows.append(row)
            continue
        h = headline(results)
        row.update(_current=h.current_monthly_usd, _proposed=h.proposed_monthly_usd, _saving=h.saving_usd,
                   current=money(h.current_monthly_usd), proposed=money(h.proposed_monthly_usd),
                   saving=saving_money(h.saving_usd), saving_pct=pct(h.saving_pct),
                   pipeline=(f"{minutes(h.pipeline_now_min)} \u2192 {minutes(h.pipeline_predicted_min)}"
                             if is_number(h.pipeline_now_min) else "n/a"),
                   status_label="Complete" if a.status == "ok" else "Partial",
                   **{s: h.by_severity.get(s, 0) for s in SEVERITIES})
        if not row["link"]:
            row["problem"] = row["problem"] or f"no {a.folder.report_html.name} in the account folder"
        row["progress"] = progress_cell(a.folder)
        row["high_risks"] = high_risks(results.findings.to_dict("records")) if len(results.findings) else 0
        rows.append(row)
        for f in top_findings(results.findings, 10).to_dict("records"):
            sev = str(f.get("severity") or "info")
            top.append({"account": a.name, "link": row["link"], "severity": sev, "sev_class": sev if sev in SEVERITIES else "info",
                        "domain": DOMAIN_LABELS.get(str(f.get("domain")), str(f.get("domain") or "")),
                        "title": str(f.get("title") or "")[:160], "_saving": float(f["monthly_savings_usd"]),
                        "saving": saving_money(f["monthly_savings_usd"]), "effort": str(f.get("effort") or "")})
    top = sorted(top, key=lambda f: -f["_saving"])[:10]
    ok_rows = [r for r in rows if r["status"] != "failed" and r["_current"] is not None]
    cur = sum(r["_current"] for r in ok_rows)
    prop = sum(r["_proposed"] or 0 for r in ok_rows)
    sav = cur - prop
    totals = None
    if ok_rows:
        totals = {"current": money(cur), "proposed": money(prop), "saving": saving_money(sav),
                  "saving_pct": pct(sav / cur * 100 if cur else None),
                  **{s: sum(int(r.get(s) or 0) for r in rows if r["status"] != "failed") for s in SEVERITIES},
                  "high_risks": sum(int(r.get("high_risks") or 0) for r in rows if r["status"] != "failed")}
    n_failed = sum(r["status"] == "failed" for r in rows)
    lead = (f"{len(rows)} AWS account{'s' if len(rows) != 1 else ''} assessed"
            + (f", {n_failed} of them could not be completed" if n_failed else "") + ". ")
    if ok_rows:
        lead += (f"Together they cost about {money(cur)} a month today; the proposed changes would bring that to about "
                 + (f"{money(prop)}, a saving of {money(sav)} a month ({pct(sav / cur * 100 if cur else None)}), "
                    f"or {money(sav * 12)} a year." if sav >= 0 else
                    f"{money(prop)}: they would cost {money(-sav)} a month more "
                    f"({pct(-sav / cur * 100 if cur else None)} more)."))
    kpis = [
        {"label": "Cost today", "value": money(cur) if ok_rows else "n/a", "sub": "USD per month, all accounts",
         "tone": ""},
        {"label": "Proposed cost", "value": money(prop) if ok_rows else "n/a", "sub": "USD per month, after the changes",
         "tone": ""},
        {"label": "Saving", "value": money(sav) if ok_rows else "n/a",
         "sub": f"{pct(sav / cur * 100 if cur else None)} \u00b7 {money(sav * 12)} a year" if ok_rows else "",
         "tone": "good" if ok_rows and sav > 0 else ""},
        {"label": "Accounts", "value": f"{len(rows) - n_failed} of {len(rows)}", "sub": "assessed completely"
         if not n_failed else f"{n_failed} failed", "tone": "bad" if n_failed else ""},
    ]
    chart = _chart_png([r for r in rows if r["status"] != "failed"])
    when = display_date(meta.get("date") or run.get("finished_at") or run.get("started_at"))
    facts = [("Client", client), ("Accounts", ", ".join(r["name"] for r in rows)), ("Prepared by", prepared_by),
             ("Date", when)]
    return {
        "client": client, "prepared_by": prepared_by, "accounts": rows, "totals": totals, "top": top,
        "show_progress": any(r.get("progress") for r in rows),
        "lead": lead, "kpis": kpis, "facts": [(k, v) for k, v in facts if v],
        "chart_uri": "data:image/png;base64," + base64.b64encode(chart).decode() if chart else "",
        "logo_uri": logo_data_uri(meta.get("logo") or rep.get("logo")),
        "confidential": "Confidential" + (f". Prepared for {client}" if client else "")
        + (f" by {prepared_by}" if prepared_by else "") + f", {when}.",
        "running_head": " \u00b7 ".join(x for x in (client, "AWS assessment portfolio") if x),
        "tool_version": __version__,
    }


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(templates_dir() / "awsassess_report")),
                             autoescape=True, undefined=jinja2.StrictUndefined)
    env.filters["css_string"] = lambda v: markupsafe.Markup(css_string(v))
    return env


def render_portfolio_html(context: dict[str, Any], links: bool = True) -> str:
    ctx = dict(context)
    ctx["links"] = links
    ctx["reports_note"] = ("Each account name links to its full report (report.html in the account's folder)."
                           if links else "Each account's full report is report.pdf / report.html in its folder.")
    return finish_page(_environment().get_template("portfolio.html.j2").render(**ctx))


def build_portfolio(run_dir: str | os.PathLike[str], meta: dict[str, Any] | None = None, *, pdf: bool = True,
                    pdf_engine: str | None = None) -> dict[str, Path]:
    """Write ``run_dir/portfolio.html`` and ``portfolio.pdf``; returns ``{"html": path, "pdf": path}``."""
    from awsassess.report.export import check_self_contained

    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        raise ReportError(f"{run_dir} is not a folder. Fix: give the --out folder of a run")
    context = portfolio_context(run_dir, meta)
    html = render_portfolio_html(context, links=True)
    check_self_contained(html)
    run = RunFolder(run_dir)
    html_path = run.portfolio_html
    write_text_atomic(html_path, html)
    out = {"html": html_path}
    if pdf:
        print_html = run_dir / f".portfolio.print.{os.getpid()}.html"
        print_html.write_text(render_portfolio_html(context, links=False), encoding="utf-8")
        try:
            html_to_pdf(print_html, run.portfolio_pdf, engine=pdf_engine)
        finally:
            print_html.unlink(missing_ok=True)
        out["pdf"] = run.portfolio_pdf
    return out
