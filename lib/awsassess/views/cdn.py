"""CloudFront views: distributions, cache behaviours (with what defeats caching), hit-rate chart."""

from __future__ import annotations

from typing import Any

import pandas as pd

from awsassess import metrics_stats as ms
from awsassess.facts.cdn import cache_policies
from awsassess.findings.base import json_list, text, truthy
from awsassess.findings.cdn import behaviour_issues
from awsassess.findings.thresholds import FindingsAssumptions
from awsassess.snapshot import Snapshot
from awsassess.views import PALETTE, Chart, Note, figure, table


def inventory(snapshot: Snapshot) -> Any:
    """One row per distribution: aliases, price class, HTTP version, origins, WAF."""
    d = snapshot.table("distributions")
    df = pd.DataFrame({"Distribution": d["distribution_id"], "Domain": d["domain"],
                       "Aliases": d["aliases"].map(lambda v: ", ".join(text(a) for a in json_list(v))),
                       "Enabled": d["enabled"].map(truthy), "Price class": d["price_class"],
                       "HTTP": d["http_version"], "Origins": d["origin_count"],
                       "WAF": d["web_acl"].map(lambda v: "yes" if text(v) else "no")})
    return table(df, "No CloudFront distributions.")


def behaviours(snapshot: Snapshot) -> Any:
    """Cache behaviours with their policy, TTLs, compression and anything that defeats caching."""
    b = snapshot.table("cache_behaviors")
    pol = cache_policies(snapshot)
    rows = []
    for r in b.itertuples():
        rows.append({"Distribution": text(r.distribution_id), "Path": text(r.path_pattern) or "*",
                     "Origin": text(r.target_origin_id),
                     "Cache policy": text(r.cache_policy_name) or text(pol.get(text(r.cache_policy), {}).get("name"))
                     or (text(r.cache_policy) or "legacy settings"),
                     "Default TTL s": r.ttl_default, "Compress": truthy(r.compress),
                     "Defeats caching": "; ".join(behaviour_issues(r, pol)) or "–"})
    return table(pd.DataFrame(rows), "No cache behaviours.")


def hit_rate_chart(snapshot: Snapshot, assumptions: FindingsAssumptions | None = None) -> Any:
    """Daily cache hit rate per distribution (request-weighted when Requests are known) and daily requests."""
    a = assumptions or FindingsAssumptions()
    hits = ms.series(snapshot, "AWS/CloudFront", "CacheHitRate", "Average", lookback_days=a.metrics_lookback_days)
    if not len(hits):
        return Note("No CacheHitRate metrics (CloudFront additional metrics are off, or not collected).")
    reqs = ms.series(snapshot, "AWS/CloudFront", "Requests", "Sum", lookback_days=a.metrics_lookback_days)
    fig = figure(9, 3.6)
    ax = fig.add_subplot(1, 1, 1)
    ax2 = ax.twinx() if len(reqs) else None
    # grouped on text: datapoints without a resource id (NaN) are drawn too, not dropped by groupby
    for i, (dist, h) in enumerate(hits.groupby(hits["resource_id"].map(text))):
        # one value per hour: a datapoint stored twice (two collections, two dimension sets) would
        # otherwise give a duplicated index that cannot be aligned with the requests
        h = h.groupby("timestamp")["value"].mean()
        if ax2 is not None:  # there are Requests
            r = reqs[reqs["resource_id"].map(text) == dist].groupby("timestamp")["value"].mean()
            both = pd.concat([h.rename("hit"), r.rename("req")], axis=1, sort=True).dropna()
            daily_req = both["req"].resample("1D").sum()
            daily = (both["hit"] * both["req"]).resample("1D").sum() / daily_req.where(daily_req > 0)
            ax2.bar(daily_req.index, daily_req.values, width=0.8, color=PALETTE[2], alpha=0.35)
        else:
            daily = h.resample("1D").mean()
        ax.plot(daily.index, daily.values, marker="o", color=PALETTE[i % len(PALETTE)],
                label=dist or "distribution unknown", zorder=3)  # matplotlib leaves "" out of the legend
    ax.axhline(a.cdn_min_hit_rate_pct, color="#c0392b", linestyle="--", linewidth=1)
    ax.set_ylim(0, 100)
    ax.set_ylabel("cache hit rate % (daily)")
    if ax2 is not None:
        ax2.set_ylabel("requests per day", color="#5d6d7e")
        ax.set_zorder(ax2.get_zorder() + 1)
        ax.patch.set_visible(False)
    ax.legend(fontsize=8, frameon=False, loc="upper left")
    fig.autofmt_xdate()
    fig.tight_layout()
    return Chart(fig, "CloudFront cache hit rate")
