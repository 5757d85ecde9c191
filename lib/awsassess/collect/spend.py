"""Spend collector: Cost Explorer monthly unblended cost by service for the last 3 full months.

**This is the one collector that costs money**: AWS bills every Cost Explorer API request
($0.01 each). One collection makes one request (plus one per extra page, rare for a 3-month,
per-service query). ``params.collect.cost_explorer: false`` turns it off; coverage then records
``ce:GetCostAndUsage`` as ``skipped``. The read-only guard allows no other Cost Explorer call.

Table ``spend``: month (YYYY-MM), service (the SERVICE dimension), usd; region ``global``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from awsassess.collect.context import Context

OPERATIONS: list[tuple[str, str]] = [("ce", "GetCostAndUsage")]
TABLES = ["spend"]
MONTHS = 3
MAX_PAGES = 20


def full_months(now: datetime | date, months: int = MONTHS) -> tuple[str, str]:
    """(start, end) ISO dates covering the last ``months`` full calendar months before ``now``."""
    end = date(now.year, now.month, 1)
    y, m = end.year, end.month - months
    while m <= 0:
        y, m = y - 1, m + 12
    return date(y, m, 1).isoformat(), end.isoformat()


def parse_results(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows = []
    for period in results:
        month = str((period.get("TimePeriod") or {}).get("Start", ""))[:7]
        for group in period.get("Groups", []) or []:
            keys = group.get("Keys") or [""]
            amount = ((group.get("Metrics") or {}).get("UnblendedCost") or {}).get("Amount", "0")
            rows.append({"month": month, "service": keys[0], "usd": round(float(amount), 4)})
    return rows


def collect_global(ctx: Context) -> dict[str, list[dict[str, Any]]]:
    if not ctx.option("cost_explorer", True):
        ctx.skip("ce", "GetCostAndUsage", "global",
                 "collect.cost_explorer is false (each Cost Explorer request costs $0.01)")
        return {"spend": []}
    start, end = full_months(ctx.now)
    kwargs: dict[str, Any] = {"TimePeriod": {"Start": start, "End": end}, "Granularity": "MONTHLY",
                              "Metrics": ["UnblendedCost"], "GroupBy": [{"Type": "DIMENSION", "Key": "SERVICE"}]}
    results: list[dict[str, Any]] = []
    for _ in range(MAX_PAGES):  # Cost Explorer has no botocore paginator
        resp = ctx.call("ce", "GetCostAndUsage", "global", **kwargs)
        results.extend(resp.get("ResultsByTime", []) or [])
        token = resp.get("NextPageToken")
        if not token:
            break
        kwargs["NextPageToken"] = token
    return {"spend": parse_results(results)}
