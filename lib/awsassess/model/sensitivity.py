"""How the proposed compute cost and the saving move with the packing utilisation target and Savings Plans.

Only compute is recomputed (the other domains do not depend on these knobs): for each utilisation
target the EC2-vs-Fargate choice is made again, and each result is shown with and without the Compute
Savings Plan discount (applied to current compute too, so the comparison stays like for like).
"""

from __future__ import annotations

import pandas as pd

from awsassess.model.assumptions import ModelAssumptions
from awsassess.model.proposed import Proposer, compute_plan, regions_in_use, rightsize_services
from awsassess.pricing.catalog import PriceCatalog
from awsassess.snapshot import Snapshot


def sensitivity(snapshot: Snapshot, a: ModelAssumptions, catalog: PriceCatalog, lines: pd.DataFrame) -> pd.DataFrame:
    c = Proposer(snapshot, a, catalog)
    cur = lines[lines["scenario"] == "current"]
    prop = lines[lines["scenario"] == "proposed"]
    current_total = float(cur["monthly_usd"].sum())
    current_compute = float(cur.loc[cur["domain"] == "compute", "monthly_usd"].sum())
    proposed_other = float(prop.loc[prop["domain"] != "compute", "monthly_usd"].sum())
    plans = []
    tasks = {r: rightsize_services(c, r) for r in regions_in_use(c.snapshot)}
    targets = sorted({*a.sensitivity_utilisation_targets, a.utilisation_target})
    rows = []
    for target in targets:
        compute = 0.0
        choice = []
        for region, t in tasks.items():
            if not t:
                continue
            plan = compute_plan(c, region, t, utilisation_target=target)
            if plan.chosen:
                compute += plan.chosen_monthly
                launch, arch = plan.chosen.split(":")
                label = f"{launch} {plan.ec2[arch].instance_type} x{plan.ec2[arch].instances}" if launch == "EC2" \
                    else f"Fargate {arch}"
                choice.append(label)
            plans.append(plan)
        for savings_plans in (False, True):
            mult = a.savings_plan_multiplier(savings_plans)
            cur_total = current_total - current_compute * (1 - mult)
            prop_total = proposed_other + compute * mult
            rows.append({
                "utilisation_target": target, "savings_plans": savings_plans, "compute_choice": "; ".join(choice),
                "proposed_compute_usd": round(compute * mult, 2), "current_usd": round(cur_total, 2),
                "proposed_usd": round(prop_total, 2), "saving_usd": round(cur_total - prop_total, 2),
                "saving_pct": round(100 * (cur_total - prop_total) / cur_total, 1) if cur_total else None,
                "is_default": target == a.utilisation_target and savings_plans == a.savings_plans,
            })
    return pd.DataFrame(rows)
