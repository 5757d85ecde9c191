"""The "Infrastructure as code" section: what the exit kit holds, what the client fills in, the apply
order by wave and the offline checks (notebook 80_migration_and_costs and the report).

The kit shown is built from the live analysis (:func:`kit`, in memory, the same function ``analyze`` and
``awsassess iac`` use), so a change of assumptions in JupyterLab shows at once; the check results are
those of the kit written in the account folder (``iac/checks.json``), labelled as such.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from awsassess import escaping
from awsassess.escaping import Html
from awsassess.views import Note, table

if TYPE_CHECKING:
    from awsassess.iac import IacKit
    from awsassess.notebook import Context


def kit(ctx: Context) -> IacKit:
    """The exit kit of the live analysis (nothing written): :attr:`awsassess.notebook.Context.iac_kit`."""
    kit_: IacKit = ctx.iac_kit
    return kit_


def overview(ctx: Context) -> Html | Note:
    """One paragraph: files, resources, imports, workflows, where they are."""
    k = kit(ctx)
    if k.empty:
        return Note("Nothing to migrate: the proposal changes no network, compute, data store or pipeline, so "
                    "no Terraform or workflow is generated.")
    s = k.summary()
    folder = ctx.folder.iac
    n_res = sum(s["resources"].values())
    where = escaping.plain(str(folder.relative_to(ctx.folder.path)) if folder.is_relative_to(ctx.folder.path)
                               else str(folder))
    modules = ", ".join(s["root_modules"])
    return Html(
        f"<p>The proposed architecture is written as Terraform ({len(s['root_modules'])} root module(s): "
        f"{escaping.plain(modules)}) with {n_res} resources and module calls, {len(s['imports'])} data "
        f"store(s) <b>imported, never recreated</b>, and {len(s['workflows'])} GitHub Actions workflow(s). "
        f"The files are in <a href=\"{where}/README.md\"><code>{where}/</code></a>; its README gives the apply "
        "order wave by wave and a rollback per wave. Every value in them carries its evidence (the model's "
        "sizing, the finding, today's setting).</p>")


def resources(ctx: Context) -> Any:
    s = kit(ctx).summary()
    df = pd.DataFrame([{"Resource or module": k, "Count": v} for k, v in s["resources"].items()])
    return table(df, "Nothing generated.")


def imports(ctx: Context) -> Any:
    s = kit(ctx).summary()
    df = pd.DataFrame([{"Terraform address": i["address"], "Imported id": i["id"], "What": i["what"]}
                       for i in s["imports"]])
    return table(df, "No data store to import.")


def client_inputs(ctx: Context) -> Any:
    s = kit(ctx).summary()
    df = pd.DataFrame([{"Variable": k, "What the client supplies": v} for k, v in s["variables"].items()])
    return table(df, "Nothing to fill in.")


def manual_work(ctx: Context) -> Any:
    s = kit(ctx).summary()
    df = pd.DataFrame([{"Manual work (not generated)": x} for x in s["manual"]])
    return table(df, "Nothing left to do by hand beyond the README's wave steps.")


def apply_order(ctx: Context) -> Any:
    """Per migration wave: what Terraform applies (``-target`` addresses) and what stays outside it."""
    from awsassess.iac.readme import wave_targets

    k = kit(ctx)
    model = ctx.model
    what = {"foundation": "network, load balancers, cluster, image repositories, OIDC",
            "datastores": "import the data stores, apply the model's changes, then move them",
            "services": "the wave's ECS services, their data-store access and deploy permissions",
            "pipelines": "copy the workflows into the repositories (no Terraform)",
            "other": "outside Terraform"}
    rows = []
    for w in model.migration:
        targets: list[str] = []
        kind = "other"
        for m in k.modules:
            kind, found = wave_targets(m, w, model.proposed)
            targets += found
        rows.append({"Wave": f"{w.number}. {w.name}", "Terraform": what.get(kind, kind),
                     "Addresses applied": len(targets), "Rollback": w.rollback})
    return table(pd.DataFrame(rows), "No migration plan.", precision=0)


def workflows(ctx: Context) -> Any:
    s = kit(ctx).summary()
    df = pd.DataFrame([{"Workflow": w["file"], "Service": w["service"],
                        "Predicted minutes per run": w["predicted_minutes"]} for w in s["workflows"]])
    return table(df, "No workflow (the proposal keeps no pipeline).", precision=0)


def checks(ctx: Context) -> Any:
    """The offline checks of the kit written in the account folder (a failed check is shown first)."""
    try:
        found = ctx.folder.read_iac_checks(missing_ok=True)
    except Exception as exc:  # noqa: BLE001 - a damaged checks.json is shown, not raised
        return Note(f"The kit's check results cannot be read: {exc}")
    if not found:
        return Note("The kit in the account folder has not been checked yet: run `awsassess iac DIR/<account>` "
                    "(analyze does it too).")
    order = {"failed": 0, "not installed": 1, "ok": 2}
    rows = sorted(({"Check": c.get("check", ""), "Status": c.get("status", ""), "Detail": c.get("detail", "")}
                   for c in found), key=lambda r: (order.get(r["Status"], 1), r["Check"]))
    return table(pd.DataFrame(rows))
