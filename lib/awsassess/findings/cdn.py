"""CloudFront rules: cache hit ratio, behaviours that defeat caching, compression, protocol, price class."""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any, TypedDict

import pandas as pd

from awsassess import metrics_stats as ms
from awsassess.facts.cdn import cache_policies
from awsassess.findings.base import Finding, num, rule, spec, text, truthy
from awsassess.findings.saving import not_cost, not_modelled
from awsassess.findings.thresholds import FindingsAssumptions
from awsassess.snapshot import Snapshot

CACHING_DISABLED_ID = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"  # managed policy "CachingDisabled"
STATIC_PATH = re.compile(r"static|assets?|images?|img|css|js|fonts?|media|public|\.(png|jpe?g|gif|svg|css|js|ico|"
                         r"woff2?|ttf|webp|avif|mp4|map)\b", re.I)
PRICE_CLASS_100 = {"north_america", "europe"}
PRICE_CLASS_200 = PRICE_CLASS_100 | {"asia", "middle_east", "africa"}


def continent(region: str) -> str:
    r = text(region)
    if r.startswith(("us-", "ca-", "mx-")):
        return "north_america"
    if r.startswith("eu-"):
        return "europe"
    if r.startswith(("ap-", "cn-")):
        return "asia"
    if r.startswith(("me-", "il-")):
        return "middle_east"
    if r.startswith("af-"):
        return "africa"
    if r.startswith("sa-"):
        return "south_america"
    return "other"


def behaviour_issues(row: Any, policies: dict[str, dict[str, Any]]) -> list[str]:
    """Why one cache behaviour defeats caching (empty when it caches)."""
    issues = []
    pol = policies.get(text(row.cache_policy), {})
    name = text(row.cache_policy_name) or text(pol.get("name"))
    if text(row.cache_policy) == CACHING_DISABLED_ID or name.lower().endswith("cachingdisabled"):
        issues.append("managed CachingDisabled policy")
    else:
        ttl_default = num(row.ttl_default, num(pol.get("ttl_default")))
        ttl_max = num(row.ttl_max, num(pol.get("ttl_max")))
        if ttl_default == 0 and (ttl_max in (0, None)):
            issues.append("TTL 0")
    for what, col, pkey in (("cookies", "forward_cookies", "cookies"), ("headers", "forward_headers", "headers"),
                            ("query strings", "forward_query_strings", "query_strings")):
        value = text(getattr(row, col)) or text(pol.get(pkey))
        if value.lower() in {"all", "allexcept"}:
            issues.append(f"all {what} in the cache key")
    return issues


def _group(df: pd.DataFrame) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = defaultdict(list)
    for r in df.itertuples():
        out[text(r.distribution_id)].append(r)
    return out


@rule("CDN-001", title="Low CloudFront cache hit ratio", domain="cdn", severity="medium", effort="medium",
      rationale=("Every miss goes to the origin: it pays origin compute, load-balancer capacity and latency. "
                 "Nobody in the peer tools reads CacheHitRate; it needs CloudFront's additional metrics."),
      thresholds=("cdn_min_hit_rate_pct", "metrics_lookback_days"),
      tables=("distributions", "cache_behaviors", "metrics"),
      saving=not_modelled("The origin cost of cache misses is not modelled."),
      pillar="performance efficiency", best_practice="PERF03-BP05")
def low_hit_ratio(snapshot: Snapshot, a: FindingsAssumptions) -> list[Finding]:
    hits = ms.series(snapshot, "AWS/CloudFront", "CacheHitRate", "Average", lookback_days=a.metrics_lookback_days)
    if not len(hits):
        return []
    reqs = ms.series(snapshot, "AWS/CloudFront", "Requests", "Sum", lookback_days=a.metrics_lookback_days)
    key = "DistributionId" if "DistributionId" in hits.columns else "resource_id"
    policies = cache_policies(snapshot)
    behaviours = _group(snapshot.table("cache_behaviors"))
    dists = {text(r.distribution_id): r for r in snapshot.table("distributions").itertuples()}
    out = []
    for dist, h in hits.groupby(key):
        dist = text(dist)
        weighted = None
        if len(reqs):
            rkey = "DistributionId" if "DistributionId" in reqs.columns else "resource_id"
            r = reqs[reqs[rkey] == dist][["timestamp", "value"]].rename(columns={"value": "requests"})
            m = h[["timestamp", "value"]].merge(r, on="timestamp")
            if len(m) and m["requests"].sum() > 0:
                weighted = float((m["value"] * m["requests"]).sum() / m["requests"].sum())
        rate = weighted if weighted is not None else float(h["value"].mean())
        if rate >= a.cdn_min_hit_rate_pct:
            continue
        blockers = {text(b.path_pattern): behaviour_issues(b, policies) for b in behaviours.get(dist, [])}
        blockers = {k: v for k, v in blockers.items() if v}
        d = dists.get(dist)
        out.append(spec("CDN-001").finding(
            snapshot, region="global", resource_ids=[dist],
            title=f"Distribution {dist}: cache hit ratio {rate:.0f}%",
            evidence={"cache_hit_rate_pct": round(rate, 1), "request_weighted": weighted is not None,
                      "datapoints": int(len(h)), "domain": text(d.domain) if d is not None else "",
                      "behaviours_defeating_cache": blockers},
            recommendation=("Cache what is cacheable: give static paths a caching policy with long TTLs and "
                            "versioned file names, keep cookies/headers/query strings out of the cache key, and "
                            "consider Origin Shield for multi-region audiences."),
        ))
    return out


class DisablingBehaviour(TypedDict):
    """One cache behaviour in CDN-002's evidence."""

    path_pattern: str
    issues: list[str]
    target_origin_id: str
    looks_static: bool
    default_behaviour: bool


@rule("CDN-002", title="Cache behaviour that disables caching", domain="cdn", severity="medium", effort="low",
      rationale=("The managed CachingDisabled policy, TTL 0 or forwarding all cookies/headers/query strings "
                 "make CloudFront a pass-through proxy: every request reaches the origin."),
      tables=("cache_behaviors", "cache_policies"),
      saving=not_modelled("The origin cost of uncached requests is not modelled."),
      pillar="performance efficiency", best_practice="PERF03-BP05")
def caching_disabled(snapshot: Snapshot, a: FindingsAssumptions) -> list[Finding]:
    policies = cache_policies(snapshot)
    out = []
    for dist, behaviours in sorted(_group(snapshot.table("cache_behaviors")).items()):
        bad: list[DisablingBehaviour] = []
        for b in behaviours:
            issues = behaviour_issues(b, policies)
            if issues:
                path = text(b.path_pattern) or "*"
                bad.append({"path_pattern": path, "issues": issues, "target_origin_id": text(b.target_origin_id),
                            "looks_static": path == "*" or bool(STATIC_PATH.search(path)),
                            "default_behaviour": path in {"*", "Default (*)"}})
        if not bad:
            continue
        severe = any(x["looks_static"] for x in bad)
        paths = ", ".join(x["path_pattern"] for x in bad)
        out.append(spec("CDN-002").finding(
            snapshot, region="global", resource_ids=[dist],
            severity="medium" if severe else "low",
            title=f"Distribution {dist}: caching disabled on {paths}",
            evidence={"behaviours": bad},
            recommendation=("Use CachingOptimized (or a custom policy with real TTLs) for static and default "
                            "behaviours; keep CachingDisabled only on paths that are truly per-user, and forward "
                            "what the origin needs through an origin request policy instead of the cache key."),
        ))
    return out


@rule("CDN-003", title="Compression off", domain="cdn", severity="low", effort="low",
      rationale="Without automatic compression text assets travel 3-5x larger: more egress and slower pages.",
      tables=("cache_behaviors",),
      saving=not_modelled("The compressed size of responses is not measured."),
      pillar="cost optimization", best_practice="COST08-BP02")
def compression_off(snapshot: Snapshot, a: FindingsAssumptions) -> list[Finding]:
    out = []
    for dist, behaviours in sorted(_group(snapshot.table("cache_behaviors")).items()):
        off = [text(b.path_pattern) or "*" for b in behaviours if b.compress is not None and not truthy(b.compress)]
        if off:
            out.append(spec("CDN-003").finding(
                snapshot, region="global", resource_ids=[dist],
                title=f"Distribution {dist}: compression off on {', '.join(off)}",
                evidence={"path_patterns": off},
                recommendation="Enable Compress objects automatically (and gzip/brotli in the cache policy).",
            ))
    return out


@rule("CDN-004", title="HTTP/2 or HTTP/3 not enabled", domain="cdn", severity="low", effort="low",
      rationale="HTTP/2 multiplexing and HTTP/3 (QUIC) cut page-load latency at no cost.",
      tables=("distributions",),
      saving=not_cost("Latency."),
      pillar="performance efficiency", best_practice="PERF04-BP05")
def http_version(snapshot: Snapshot, a: FindingsAssumptions) -> list[Finding]:
    out = []
    for r in snapshot.table("distributions").itertuples():
        v = text(r.http_version).lower()
        if v in {"http2and3", "http3"} or not v:
            continue
        out.append(spec("CDN-004").finding(
            snapshot, region="global", resource_ids=[text(r.distribution_id)],
            severity="medium" if v == "http1.1" else "info",
            title=f"Distribution {text(r.distribution_id)}: {v} only",
            evidence={"http_version": v},
            recommendation="Set HttpVersion to http2and3.",
        ))
    return out


@rule("CDN-005", title="PriceClass_All for a regional audience", domain="cdn", severity="low", effort="low",
      rationale=("PriceClass_100 serves North America and Europe from the cheapest edge locations; paying for "
                 "all edges only helps when viewers are elsewhere."),
      thresholds=("cdn_audience_continents",), tables=("distributions",),
      saving=not_modelled("Price classes are not modelled: every byte is priced at the assumed edge geography's rates "
                          "(cloudfront_geography), which PriceClass_100 does not change."),
      pillar="cost optimization", best_practice="COST07-BP02")
def price_class(snapshot: Snapshot, a: FindingsAssumptions) -> list[Finding]:
    audience = set(a.cdn_audience_continents or {continent(r) for r in snapshot.regions}) - {"other"}
    if not audience:
        return []
    out = []
    for r in snapshot.table("distributions").itertuples():
        pc = text(r.price_class)
        if pc == "PriceClass_All" and audience <= PRICE_CLASS_200:
            target = "PriceClass_100" if audience <= PRICE_CLASS_100 else "PriceClass_200"
        elif pc == "PriceClass_200" and audience <= PRICE_CLASS_100:
            target = "PriceClass_100"
        else:
            continue
        out.append(spec("CDN-005").finding(
            snapshot, region="global", resource_ids=[text(r.distribution_id)],
            title=f"Distribution {text(r.distribution_id)}: {pc} for a {', '.join(sorted(audience))} audience",
            evidence={"price_class": pc, "audience": sorted(audience),
                      "audience_source": "assumption" if a.cdn_audience_continents else "account regions",
                      "suggested_price_class": target},
            recommendation=f"Set the price class to {target} (check viewer geography in the CloudFront reports first).",
        ))
    return out


@rule("CDN-006", title="S3 origin without origin access control", domain="cdn", severity="medium", effort="low",
      rationale=("Without OAC the bucket must be readable by anyone (or uses a legacy OAI): viewers can bypass "
                 "CloudFront, its cache and its WAF."),
      tables=("origins",),
      saving=not_cost("Security."),
      pillar="security", best_practice="SEC08-BP04")
def s3_without_oac(snapshot: Snapshot, a: FindingsAssumptions) -> list[Finding]:
    o = snapshot.table("origins")
    o = o[(o["origin_type"].map(text) == "s3") & (o["origin_access_control_id"].map(text) == "")]
    out = []
    for r in o.itertuples():
        legacy = bool(text(r.origin_access_identity))
        out.append(spec("CDN-006").finding(
            snapshot, region="global", resource_ids=[text(r.distribution_id), text(r.origin_id)],
            severity="low" if legacy else "medium",
            title=f"Distribution {text(r.distribution_id)}: S3 origin {text(r.origin_id)} "
                  + ("uses a legacy OAI" if legacy else "has no origin access control"),
            evidence={"origin_domain": text(r.domain), "origin_access_identity": text(r.origin_access_identity)},
            recommendation="Attach an origin access control and allow only cloudfront.amazonaws.com (with the distribution ARN) in the bucket policy.",
        ))
    return out


@rule("CDN-007", title="Disabled distribution kept", domain="cdn", severity="info", effort="low",
      rationale="A disabled distribution serves nothing; delete it or re-enable it.", tables=("distributions",),
      saving=not_cost("Information: a disabled distribution bills nothing."),
      pillar="cost optimization", best_practice="COST04-BP03")
def disabled_distribution(snapshot: Snapshot, a: FindingsAssumptions) -> list[Finding]:
    d = snapshot.table("distributions")
    d = d[d["enabled"].notna() & ~d["enabled"].map(truthy)]
    return [spec("CDN-007").finding(
        snapshot, region="global", resource_ids=[text(r.distribution_id)],
        title=f"Distribution {text(r.distribution_id)} is disabled", evidence={"comment": text(r.comment)},
        recommendation="Delete it if it is no longer needed.") for r in d.itertuples()]
