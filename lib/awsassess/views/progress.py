"""The "Progress against the plan" section (notebook 95_progress; in the report right after the executive
summary): the account's ``progress.json``, written by ``awsassess verify`` or ``run --baseline``.

Every function takes the progress document (a dict, :func:`awsassess.verify.read_progress`), so the
section shows exactly what progress.json says.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from awsassess import escaping
from awsassess.escaping import Html
from awsassess.report.render import money as usd
from awsassess.verify.match import COUNTED
from awsassess.views import Note, table

COUNTED_DOMAIN = {table: domain for domain, table, _label, _keep in COUNTED}
STATUS_MARK = {"done": "done", "in progress": "in progress", "not started": "not started"}


def _banked(m: dict[str, Any]) -> str:
    """The saving banked against the promised one; a cost that rose since the baseline says so (no negative saving)."""
    banked, promised = m.get("banked_saving_usd"), m.get("promised_saving_usd")
    pct = m.get("banked_pct_of_promised")
    if banked is not None and round(float(banked)) < 0:
        return (f"<b>no saving banked: the estate costs {usd(-float(banked))} a month more than at the baseline</b>, "
                f"against the {usd(promised)} promised")
    return (f"<b>{usd(banked)} of the {usd(promised)} promised saving banked"
            + (f" ({pct:g} %)" if pct is not None else "") + "</b>")


def _failed(progress: dict[str, Any] | None) -> Note | None:
    if progress is None:
        return Note("This account was not verified against a baseline run: run `awsassess verify BEFORE AFTER` "
                    "or `awsassess run ... --baseline OLD_RUN`.")
    if progress.get("error"):
        return Note(f"Progress could not be measured: {progress['error']}")
    return None


def headline(progress: dict[str, Any] | None) -> Html | Note:
    """One paragraph: waves done, saving banked against promised (model and bill), findings resolved."""
    if (bad := _failed(progress)) is not None:
        return bad
    assert progress is not None
    s, m = progress["summary"], progress["money"]
    f = s["findings"]
    bill = m.get("bill")
    bill_text = ""
    if bill:
        bill_text = (f" The bill (Cost Explorer) went from {usd(bill['before_usd'])} ({escaping.plain(bill['before_month'])}) "
                     f"to {usd(bill['now_usd'])} ({escaping.plain(bill['now_month'])}).")
    return Html(
        f"<p><b>{s['waves_done']} of {s['waves']} migration waves done.</b> Monthly cost, as modelled line by line: "
        f"{usd(m.get('before_usd'))} before, {usd(m.get('now_usd'))} now, {usd(m.get('planned_usd'))} planned: "
        f"{_banked(m)}.{bill_text} Findings: {f.get('resolved', 0)} resolved, "
        f"{f.get('open', 0)} still open, {f.get('new', 0)} new, {f.get('regressed', 0)} regressed"
        + (f"; <b>{s['planned_still_open']} the plan promised to fix are still open after their wave</b>"
           if s.get("planned_still_open") else "") + ". Compared with the "
        f"baseline collected {escaping.plain(progress.get('before_collected_at', ''))[:10]}; this snapshot "
        f"{escaping.plain(progress.get('after_collected_at', ''))[:10]}.</p>")


def waves(progress: dict[str, Any] | None) -> Any:
    if (bad := _failed(progress)) is not None:
        return bad
    assert progress is not None
    rows = [{"Wave": w["number"], "Name": w["name"], "Status": STATUS_MARK.get(w["status"], w["status"]),
             "Evidence": w["summary"], "In place": "; ".join(e["check"] for e in w["evidence"] if e["met"]),
             "Not yet in place": "; ".join(e["check"] for e in w["evidence"] if not e["met"])}
            for w in progress["waves"]]
    return table(pd.DataFrame(rows), "The plan had no migration waves.")


def money(progress: dict[str, Any] | None, top: int = 10) -> Any:
    """The lines that moved most since the baseline (model, $/month)."""
    if (bad := _failed(progress)) is not None:
        return bad
    assert progress is not None
    rows = [{"Domain": r["domain"], "Line": r["item"], "Before $/month": r["before_usd"], "Now $/month": r["now_usd"],
             "Change $/month": r["change_usd"]} for r in progress["money"]["moved"][:top]]
    return table(pd.DataFrame(rows), "No cost line moved.", precision=2)


def against_plan(progress: dict[str, Any] | None, top: int = 12) -> Any:
    """Now against the plan, per catalog row: where the remainder is (what is not yet done, or priced otherwise)."""
    if (bad := _failed(progress)) is not None:
        return bad
    assert progress is not None
    rows = [{"Domain": r["domain"], "Line": r["item"], "Planned $/month": r["planned_usd"],
             "Now $/month": r["now_usd"], "Now - plan $/month": r["difference_usd"]}
            for r in progress["money"]["now_vs_plan"][:top]]
    return table(pd.DataFrame(rows), "The estate costs exactly what the plan said.", precision=2)


def findings(progress: dict[str, Any] | None) -> Any:
    if (bad := _failed(progress)) is not None:
        return bad
    assert progress is not None
    order = {"regressed": 0, "new": 1, "open": 2, "resolved": 3}
    rows = sorted(({"Status": f["status"], "Rule": f["rule_id"], "Finding": f["title"], "Severity": f["severity"],
                    "Wave": f["wave"] if f["wave"] is not None else "–",
                    "In the plan": f.get("planned") or "no: left to the client",
                    "Resources": ", ".join(r.split("/", 1)[-1] for r in f["resources"])}
                   for f in progress["findings"]), key=lambda r: (order.get(r["Status"], 9), r["Rule"]))
    return table(pd.DataFrame(rows), "No findings before or now.")


def delivery(progress: dict[str, Any] | None) -> Any:
    if (bad := _failed(progress)) is not None:
        return bad
    assert progress is not None
    d = progress["delivery"]
    rows = [{"Measure": "Deploy pipeline (CodePipeline, median minutes)", "Before": d.get("pipeline_before_min"),
             "Now": d.get("pipeline_now_min"), "Predicted by the plan": d.get("pipeline_predicted_min")},
            {"Measure": "CodeDeploy deployment (median minutes)", "Before": d.get("codedeploy_before_min"),
             "Now": d.get("codedeploy_now_min"), "Predicted by the plan": None},
            {"Measure": "ECS rollout (median minutes)", "Before": d.get("rollout_before_min"),
             "Now": d.get("rollout_now_min"), "Predicted by the plan": None}]
    df = pd.DataFrame(rows)
    for c in ("Before", "Now", "Predicted by the plan"):
        df[c] = pd.to_numeric(df[c], errors="coerce")
    return table(df, "No delivery data.")


def inventory(progress: dict[str, Any] | None) -> Any:
    if (bad := _failed(progress)) is not None:
        return bad
    assert progress is not None
    rows = []
    for k in progress["inventory"]["kinds"]:
        unmatched = k["unmatched_before"] + k["unmatched_after"]
        if not (k["added"] or k["removed"] or k["changed"] or k["planned_added"] or k["planned_removed"] or unmatched):
            continue
        changed = "; ".join(f"{c['resource']}: " + ", ".join(f"{a} {v[0]} -> {v[1]}" for a, v in c["changes"].items())
                            for c in k["changed"][:6]) + (f" (+{len(k['changed']) - 6} more)" if len(k["changed"]) > 6
                                                          else "")
        rows.append({"Domain": k.get("domain", ""), "Kind": k["label"], "Added": ", ".join(k["planned_added"] + k["added"]),
                     "Removed": ", ".join(k["planned_removed"] + k["removed"]), "Changed": changed,
                     "Unmatched (renamed or replaced?)": (
                         f"before: {', '.join(k['unmatched_before'])}; now: {', '.join(k['unmatched_after'])}"
                         if unmatched else "")})
    for table_name, (was, now) in progress["inventory"]["counts"].items():
        if was != now:
            rows.append({"Domain": COUNTED_DOMAIN.get(table_name, ""), "Kind": table_name.replace("_", " "), "Added": f"{now - was:+d}" if now > was else "",
                         "Removed": f"{now - was:+d}" if now < was else "", "Changed": f"{was} -> {now}",
                         "Unmatched (renamed or replaced?)": ""})
    return table(pd.DataFrame(rows), "Nothing was added, removed or changed.")


def notes(progress: dict[str, Any] | None) -> Any:
    if progress is None or not progress.get("notes"):
        return Note("")
    return Html("<ul>" + "".join(f"<li>{escaping.plain(n)}</li>" for n in progress["notes"]) + "</ul>")
