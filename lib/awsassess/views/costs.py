"""Migration and cost views: current vs proposed by domain, cost lines, the proposed architecture,
the pipeline-time waterfall, the migration waves, the Terraform table, assumptions and price sources.

Every function takes the :class:`awsassess.model.CostModel` (``ctx.model`` in a notebook) and returns a
table (Styler), a :class:`~awsassess.views.Chart` (static PNG) or a :class:`~awsassess.views.Note`.
"""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING, Any

import pandas as pd

from awsassess import escaping
from awsassess.escaping import Html
from awsassess.views import PALETTE, Chart, Note, figure, safe_styler, short_id, show_table, table

if TYPE_CHECKING:
    from awsassess.model import CostModel

DOMAIN_LABELS = {"network": "Network", "compute": "Compute", "pipelines": "Pipelines", "datastores": "Data stores",
                 "cdn": "CDN", "total": "Total"}


def _e(value: Any) -> str:
    return escaping.text(value)


def _saving_table(df: pd.DataFrame, empty: str, precision: int, savings: dict[str, str]) -> Any:
    """:func:`~awsassess.views.table` with the ``savings`` columns (name -> unit) shown by
    :func:`awsassess.escaping.saving_text` (a cost increase says so, never a negative saving)."""
    if not len(df):
        return Note(empty)
    fmt: dict[Any, Any] = {c: f"{{:,.{precision}f}}" for c in df.columns if pd.api.types.is_float_dtype(df[c])}
    for c, unit in savings.items():
        if c in df.columns:
            fmt[c] = lambda v, unit=unit: escaping.saving_text(v, precision, unit)
    return show_table(safe_styler(df.style.hide(axis="index").format(fmt, na_rep="–"), df), df)


# --------------------------------------------------------------------------- money
def by_domain(model: CostModel) -> Any:
    """Current and proposed $/month per domain, with the saving in $ and % (an area that costs more says so)."""
    df = model.by_domain().copy()
    df["domain"] = df["domain"].map(lambda d: DOMAIN_LABELS.get(d, d))
    df.columns = ["Domain", "Current USD/month", "Proposed USD/month", "Saving USD/month", "Saving %"]
    return _saving_table(df, "No cost lines.", 0, {"Saving USD/month": "", "Saving %": "%"})


def by_domain_chart(model: CostModel) -> Chart | Note:
    """Grouped bars: current vs proposed monthly cost per domain."""
    df = model.by_domain()
    df = df[df["domain"] != "total"]
    if not (df["current_usd"].sum() or df["proposed_usd"].sum()):
        return Note("No cost lines to chart.")
    fig = figure(9, 3.8)
    ax = fig.add_subplot(1, 1, 1)
    x = list(range(len(df)))
    w = 0.38
    ax.bar([i - w / 2 for i in x], df["current_usd"], w, label="Current", color=PALETTE[0])
    ax.bar([i + w / 2 for i in x], df["proposed_usd"], w, label="Proposed", color=PALETTE[5])
    for i, (c, p) in enumerate(zip(df["current_usd"], df["proposed_usd"], strict=True)):
        ax.text(i - w / 2, c, f"{c:,.0f}", ha="center", va="bottom", fontsize=7)
        ax.text(i + w / 2, p, f"{p:,.0f}", ha="center", va="bottom", fontsize=7)
    ax.set_xticks(x, [DOMAIN_LABELS.get(d, d) for d in df["domain"]])
    ax.set_ylabel("USD per month")
    s = model.summary
    pct = s.get("saving_pct")
    change = "" if pct is None else f"saving {pct:.0f}%" if round(pct) >= 0 else f"costs {-pct:.0f}% more"
    ax.set_title(f"USD {s['current_monthly_usd']:,.0f} \u2192 {s['proposed_monthly_usd']:,.0f} per month ({change})"
                 if change else "", fontsize=10)
    ax.legend(frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return Chart(fig, "Current vs proposed by domain")


def lines(model: CostModel, scenario: str | None = None, domain: str | None = None, top: int | None = None) -> Any:
    """The cost lines (quantity x unit price = monthly), largest first."""
    df = model.lines
    if scenario:
        df = df[df["scenario"] == scenario]
    if domain:
        df = df[df["domain"] == domain]
    df = df.sort_values("monthly_usd", ascending=False)
    if top:
        df = df.head(top)
    out = pd.DataFrame({
        "Scenario": df["scenario"], "Domain": df["domain"], "Item": df["item"],
        "Resource": df["resource_id"].map(short_id), "Quantity": df["quantity"], "Unit": df["unit"],
        "Unit price USD": df["unit_price_usd"], "USD/month": df["monthly_usd"], "Price [conf.]": df["confidence"]})
    if not len(out):
        return Note("No cost lines.")
    return show_table(safe_styler(out.style.hide(axis="index").format(
        {"Quantity": "{:,.2f}", "Unit price USD": "{:.6g}", "USD/month": "{:,.2f}"}, na_rep="unpriced"), out), out)


def reconciliation(model: CostModel) -> Any:
    """The modelled current cost against Cost Explorer, per service."""
    df = model.reconciliation.rename(columns={
        "service": "Cost Explorer service", "spend_usd": "Bill USD/month", "model_usd": "Model USD/month",
        "difference_usd": "Unexplained USD", "explained_pct": "Explained %"})
    return table(df, "No Cost Explorer spend in this snapshot (collect.cost_explorer is off or access was denied).",
                 precision=1)


def sensitivity(model: CostModel) -> Any:
    """Proposed cost and saving across packing utilisation targets, with and without Savings Plans."""
    df = model.sensitivity.rename(columns={
        "utilisation_target": "Utilisation target", "savings_plans": "Savings Plans", "compute_choice": "Compute",
        "proposed_compute_usd": "Compute USD/month", "current_usd": "Current USD/month",
        "proposed_usd": "Proposed USD/month", "saving_usd": "Saving USD/month", "saving_pct": "Saving %",
        "is_default": "Headline"})
    return _saving_table(df, "No compute to vary.", 1, {"Saving USD/month": "", "Saving %": "%"})


# --------------------------------------------------------------------------- proposed architecture
def proposed_overview(model: CostModel) -> Html | Note:
    """The proposed architecture in a few lines (what replaces what)."""
    arch = model.proposed
    items = []
    for v in arch.vpcs:
        items.append(f"<li><b>VPC {_e(v.name)}</b> ({_e(v.cidr)}) across {_e(', '.join(v.azs))}: "
                     f"{len(v.nat_gateways)} NAT gateway(s), gateway endpoints {_e(', '.join(v.gateway_endpoints))}; "
                     f"replaces {len(v.replaces)} VPC(s)</li>")
    for lb in arch.load_balancers:
        items.append(f"<li><b>{_e(lb.scheme)} ALB {_e(lb.name)}</b>: {_e(', '.join(lb.services))} "
                     f"({lb.rules} rules); replaces {len(lb.replaces)} load balancer(s)</li>")
    for c in arch.clusters:
        what = (f"{c.instances} x {_e(c.instance_type)} ({_e(c.arch)}), capacity provider at "
                f"{c.capacity_provider.target_capacity_pct if c.capacity_provider else 100}% target capacity"
                if c.launch == "EC2" else f"Fargate ({_e(c.arch)})")
        items.append(f"<li><b>ECS cluster {_e(c.name)}</b>: {what}. {_e(c.reason)}</li>")
    changed = [d for d in arch.datastores if d.reason and d.reason not in ("kept", "class kept")]
    if changed:
        items.append(f"<li><b>Data stores</b>: {len(changed)} change(s), see below</li>")
    if arch.pipelines:
        p = arch.pipelines
        items.append(f"<li><b>{_e(p.platform)}</b>: {len(p.workflows)} workflow(s), {p.minutes_per_month:,.0f} "
                     f"runner minutes/month of {p.included_minutes:,} included ({_e(p.plan)} plan)</li>")
    for n in arch.notes:
        items.append(f"<li>{_e(n)}</li>")
    return Html("<ul>" + "".join(items) + "</ul>") if items else Note("Nothing to propose.")


def compute_options(model: CostModel) -> Any:
    """Every compute option priced for the same right-sized services; the chosen one is marked."""
    rows = [{"Cluster": c.name, "Option": o.label, "Instances": o.instances or None, "USD/month": o.monthly_usd,
             "Chosen": "yes" if o.chosen else "", "Detail": o.detail}
            for c in model.proposed.clusters for o in c.options]
    return table(pd.DataFrame(rows), "No ECS services.", precision=0)


def services(model: CostModel) -> Any:
    """Right-sizing per service: current vs proposed task size, desired count and scaling policy."""
    rows = [{"Service": s.name, "Tasks": s.desired, "CPU units": f"{s.current_cpu} -> {s.cpu}",
             "Memory MiB": f"{s.current_memory} -> {s.memory}", "Launch": s.launch, "Arch": s.arch,
             "Scaling": f"{s.scaling.min_tasks}-{s.scaling.max_tasks} at {s.scaling.target_value:g}% CPU",
             "Why": s.rightsizing} for s in model.proposed.services]
    return table(pd.DataFrame(rows), "No ECS services.")


def datastores(model: CostModel) -> Any:
    rows = [{"Kind": d.kind, "Id": d.id, "Now": d.current_class or d.current_mode,
             "Proposed": d.proposed_class or d.mode or "removed", "Engine": d.engine,
             "Multi-AZ": "yes" if d.multi_az else "no", "Why": d.reason} for d in model.proposed.datastores]
    return table(pd.DataFrame(rows), "No data stores.")


# --------------------------------------------------------------------------- pipelines
def pipeline_summary(model: CostModel) -> Any:
    df = model.pipeline_time.summary_frame().rename(columns={
        "pipeline": "Pipeline", "service": "Service", "executions": "Runs", "now_min": "Now (min)",
        "predicted_min": "Predicted (min)"})
    return table(df, "No pipeline history in this snapshot.")


def pipeline_steps(model: CostModel, pipeline: str | None = None) -> Any:
    df = model.pipeline_time.steps_frame(pipeline).rename(columns={
        "step": "Step", "change_min": "Change (min)", "running_min": "Running total (min)",
        "assumption": "Assumption"})
    return table(df, "No pipeline history in this snapshot.", precision=2)


def pipeline_components(model: CostModel, pipeline: str | None = None) -> Any:
    df = model.pipeline_time.components_frame(pipeline).rename(columns={
        "stage": "Stage", "component": "Component", "measured_min": "Measured (min)",
        "predicted_min": "Predicted (min)", "assumption": "Assumption"})
    return table(df, "No pipeline history in this snapshot.", precision=2)


def pipeline_waterfall(model: CostModel, pipeline: str | None = None) -> Chart | Note:
    """Waterfall from the measured deploy time to the predicted one, one bar per change."""
    steps = model.pipeline_time.steps_frame(pipeline)
    if not len(steps):
        return Note("No pipeline history in this snapshot.")
    fig = figure(10, 4.6)
    ax = fig.add_subplot(1, 1, 1)
    labels, bottoms, heights, colours = [], [], [], []
    for _, s in steps.iterrows():
        label = str(s["step"])
        if s["step"].startswith("Measured") or s["step"] == "Predicted":
            bottoms.append(0.0)
            heights.append(float(s["running_min"]))
            colours.append(PALETTE[0] if s["step"].startswith("Measured") else PALETTE[5])
            label = "Now" if s["step"].startswith("Measured") else "Predicted"
        else:
            change = float(s["change_min"])
            bottoms.append(float(s["running_min"]) if change < 0 else float(s["running_min"]) - change)
            heights.append(abs(change))
            colours.append(PALETTE[4] if change < 0 else PALETTE[3])
        labels.append(textwrap.fill(label.replace("$", ""), 16))
    x = list(range(len(labels)))
    ax.bar(x, heights, bottom=bottoms, color=colours)
    for i, (b, h) in enumerate(zip(bottoms, heights, strict=True)):
        ax.text(i, b + h, f"{h:.1f}", ha="center", va="bottom", fontsize=7)
    ax.set_xticks(x, labels, fontsize=7)
    ax.set_ylabel("minutes per deploy")
    typical = model.pipeline_time.typical() if pipeline is None else None
    ax.set_title(f"Deploy time, {typical.pipeline if typical else pipeline}", fontsize=10)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return Chart(fig, "Pipeline time waterfall")


# --------------------------------------------------------------------------- migration, Terraform
def migration_waves(model: CostModel) -> Any:
    rows = [{"Wave": w.number, "Name": w.name, "Effort": w.effort, "Days": w.effort_days,
             "Depends on": ", ".join(map(str, w.depends_on)), "Rollback": w.rollback} for w in model.migration]
    return table(pd.DataFrame(rows), "No migration plan.")


def reliability_effects(model: CostModel) -> Any:
    """What each change of the proposal does to reliability and security (:mod:`awsassess.model.lens`);
    changes that lower a production resilience property first (they are also risks of their wave)."""
    order = {"lowers": 0, "changes": 1, "keeps": 2, "improves": 3}
    rows = sorted(({"Effect": e.kind, "Area": e.area, "Change": e.change, "What it does": e.effect,
                    "Pillar": e.pillar, "Production risk": "yes, in the plan's risks" if e.production_risk else ""}
                   for e in model.effects), key=lambda r: (order.get(r["Effect"], 9), r["Area"]))
    return table(pd.DataFrame(rows), "The proposal changes nothing that affects reliability or security.")


def migration_detail(model: CostModel) -> Html | Note:
    """Each wave with its steps, risks and rollback."""
    parts = []
    for w in model.migration:
        steps = "".join(f"<li>{_e(s)}</li>" for s in w.steps)
        risks = "".join(f"<li>{_e(r)}</li>" for r in w.risks)
        parts.append(f"<h4>Wave {w.number}: {_e(w.name)}</h4><p>{_e(w.goal)}. Effort: {_e(w.effort)} "
                     f"({w.effort_days:g} person-days; {_e(w.effort_basis)}).</p><p><b>Steps</b></p><ol>{steps}</ol>"
                     f"<p><b>Risks</b></p><ul>{risks}</ul><p><b>Rollback</b>: {_e(w.rollback)}</p>")
    return Html("".join(parts)) if parts else Note("No migration plan.")


# --------------------------------------------------------------------------- assumptions, prices
def assumptions(model: CostModel) -> Any:
    """Every model assumption with its value and where the default comes from."""
    fields = type(model.assumptions).model_fields
    rows = [{"Assumption": k, "Value": str(getattr(model.assumptions, k)),
             "Unit": (f.json_schema_extra or {}).get("unit", "") if isinstance(f.json_schema_extra, dict) else "",
             "Why": f.description or ""} for k, f in fields.items()]
    return table(pd.DataFrame(rows), "No assumptions.")


def low_confidence_prices(model: CostModel) -> Any:
    """Prices used that rest on secondary sources (B) or a single one (C: placeholders)."""
    rows = [{"Service": r.service, "Item": r.item, "Region": r.region, "USD": r.usd, "Unit": r.unit,
             "Confidence": r.confidence, "Source": r.source, "As of": r.as_of} for r in model.low_confidence()]
    return table(pd.DataFrame(rows).sort_values(["Confidence", "Service"], ascending=[False, True])
                 if rows else pd.DataFrame(), "Every price used comes from Price List data or an official page (A).",
                 precision=4)


def unpriced(model: CostModel) -> Any:
    df = pd.DataFrame(model.unpriced)
    if len(df):
        df = df.rename(columns={"scenario": "Scenario", "domain": "Domain", "item": "Item",
                                "resource_id": "Resource", "region": "Region", "reason": "Why not priced"})
    return table(df, "Every charge the model knows about is priced.")
