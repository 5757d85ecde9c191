"""Cost Explorer fill: GetCostAndUsage answered from the cost model of the seeded estate."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from awsassess.demo.frontdoor import SimHandler
from awsassess.demo.sim._common import set_attrs

# The operations whose answers this module changes or replaces (its part of
# awsassess.demo.sim.FILLED_OPERATIONS); the comment names the function(s) responsible.
FILLED_OPERATIONS: tuple[tuple[str, str], ...] = (
    ("ce", "GetCostAndUsage"),  # patch_cost_explorer
)


def patch_cost_explorer() -> None:
    """Gap: ``GetCostAndUsage`` is empty unless results are queued through a fragile FIFO keyed on
    the raw request body.

    Fill (B): replace ``CostExplorerBackend.get_cost_and_usage`` with a cost model of the seeded
    estate (:mod:`awsassess.demo.costs`): per-period amounts by SERVICE (or LINKED_ACCOUNT), any
    granularity, UnblendedCost/BlendedCost/AmortizedCost/NetUnblendedCost, days-in-month scaled; an
    after-migration estate's days from its cut-over are priced from what it runs (``costs.BILLS``).
    Accounts without a spec (e.g. the management account) have no spend.
    """
    import json
    from datetime import date, timedelta

    from moto.ce import models as ce_models

    from awsassess.demo import costs
    from awsassess.demo.estate import ACCOUNTS

    if getattr(ce_models.CostExplorerBackend.get_cost_and_usage, "_awsassess", False):
        return

    def periods(start: date, end: date, granularity: str) -> list[tuple[date, date]]:
        out, cur = [], start
        while cur < end:
            if granularity == "MONTHLY":
                nxt = (cur.replace(day=28) + timedelta(days=4)).replace(day=1)
            else:
                nxt = cur + timedelta(days=1)
            out.append((cur, min(nxt, end)))
            cur = min(nxt, end)
        return out

    def get_cost_and_usage(self: Any, body: str) -> dict[str, Any]:
        req = json.loads(body or "{}")
        start = date.fromisoformat(req["TimePeriod"]["Start"])
        end = date.fromisoformat(req["TimePeriod"]["End"])
        granularity = req.get("Granularity", "MONTHLY")
        metrics = req.get("Metrics") or ["UnblendedCost"]
        group_by = [g.get("Key") for g in req.get("GroupBy", [])]
        spec = next((a for a in ACCOUNTS if a.account_id == self.account_id), None)
        today = date.today()
        results = []
        for p_start, p_end in periods(start, end, granularity):
            amounts = costs.account_cost_for_period(spec, p_start, min(p_end, today)) if spec and p_start < today else {}
            estimated = p_end > today
            total = sum(amounts.values())

            def metric_block(usd: float) -> dict[str, Any]:
                return {m: ({"Amount": f"{usd:.10f}", "Unit": "USD"} if m != "UsageQuantity"
                            else {"Amount": "0", "Unit": "N/A"}) for m in metrics}

            entry: dict[str, Any] = {"TimePeriod": {"Start": p_start.isoformat(), "End": p_end.isoformat()},
                                     "Estimated": estimated}
            if group_by:
                if group_by[0] == "LINKED_ACCOUNT":
                    groups = [{"Keys": [self.account_id], "Metrics": metric_block(total)}] if amounts else []
                else:
                    groups = [{"Keys": [svc], "Metrics": metric_block(usd)} for svc, usd in sorted(amounts.items())]
                entry.update(Total={}, Groups=groups)
            else:
                entry.update(Total=metric_block(total), Groups=[])
            results.append(entry)
        dims = [{"Value": self.account_id, "Attributes": {"description": spec.name}}] if spec else []
        return {"GroupDefinitions": req.get("GroupBy", []), "ResultsByTime": results,
                "DimensionValueAttributes": dims if "LINKED_ACCOUNT" in group_by else []}

    set_attrs(get_cost_and_usage, _awsassess=True)
    set_attrs(ce_models.CostExplorerBackend, get_cost_and_usage=get_cost_and_usage)


# mechanism-B patches, installed by awsassess.demo.sim.apply_patches
PATCHES: tuple[Callable[[], None], ...] = (
    patch_cost_explorer,
)


# (boto3 client name, operation) -> handler, answered by the front door (mechanism C; none here)
SIMULATED_OPERATIONS: dict[tuple[str, str], SimHandler] = {}
