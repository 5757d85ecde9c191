"""CloudFront collector (region ``"global"``).

Tables: ``distributions``, ``origins``, ``cache_behaviors`` (the default behaviour has
``path_pattern == "*"``), ``cache_policies`` (managed and custom).

A behaviour either names a cache policy (``CachePolicyId``: TTLs and cache-key settings come from
the policy, resolved through ``list_cache_policies``/``get_cache_policy``) or uses the legacy
settings (``ForwardedValues`` + ``MinTTL``/``DefaultTTL``/``MaxTTL`` on the behaviour). When a policy
id is set it wins: some implementations also echo a ``ForwardedValues`` block next to it.
"""

from __future__ import annotations

from typing import Any

from awsassess.tables import dumps

__all__ = [
    "parse_cache_behaviors",
    "parse_cache_policy",
    "parse_distribution",
    "parse_origins",
]


def _items(container: Any) -> list[Any]:
    """CloudFront lists are ``{"Quantity": n, "Items": [...]}``; Items is absent when empty."""
    if isinstance(container, dict):
        return list(container.get("Items") or [])
    return []


# ------------------------------------------------------------------------------- policies
def parse_cache_policy(item: dict[str, Any]) -> dict[str, Any]:
    """A ``cache_policies`` row from a ``list_cache_policies`` item (``{"Type", "CachePolicy"}``)
    or a ``get_cache_policy`` ``CachePolicy`` (type then defaults to ``custom`` unless given)."""
    policy = item.get("CachePolicy", item)
    config = policy.get("CachePolicyConfig") or {}
    params = config.get("ParametersInCacheKeyAndForwardedToOrigin") or {}
    return {
        "id": policy.get("Id", ""),
        "name": config.get("Name", ""),
        "type": item.get("Type", "custom"),
        "ttl_min": config.get("MinTTL"),
        "ttl_default": config.get("DefaultTTL"),
        "ttl_max": config.get("MaxTTL"),
        "cookies": (params.get("CookiesConfig") or {}).get("CookieBehavior", ""),
        "headers": (params.get("HeadersConfig") or {}).get("HeaderBehavior", ""),
        "query_strings": (params.get("QueryStringsConfig") or {}).get("QueryStringBehavior", ""),
        "gzip": bool(params.get("EnableAcceptEncodingGzip", False)),
        "brotli": bool(params.get("EnableAcceptEncodingBrotli", False)),
    }


# --------------------------------------------------------------------------- distributions
def parse_distribution(summary: dict[str, Any], config: dict[str, Any] | None = None) -> dict[str, Any]:
    """A ``distributions`` row from a ``list_distributions`` summary and (optionally) its
    ``get_distribution_config`` ``DistributionConfig``, which wins where both have a field."""
    merged = {**summary, **(config or {})}
    return {
        "distribution_id": summary.get("Id", ""),
        "domain": summary.get("DomainName", ""),
        "aliases": dumps(_items(merged.get("Aliases"))),
        "price_class": merged.get("PriceClass", ""),
        "enabled": bool(merged.get("Enabled", False)),
        "http_version": str(merged.get("HttpVersion", "")).lower(),
        "ipv6": bool(merged.get("IsIPV6Enabled", False)),
        "web_acl": merged.get("WebACLId") or "",
        "origin_count": len(_items(merged.get("Origins"))),
        "status": summary.get("Status", ""),
        "comment": merged.get("Comment") or "",
        **viewer_certificate(merged.get("ViewerCertificate")),
    }


def viewer_certificate(cert: Any) -> dict[str, Any]:
    """``minimum_protocol_version`` and ``default_certificate`` of a ``ViewerCertificate`` (None when absent).

    With the default ``*.cloudfront.net`` certificate CloudFront accepts TLSv1 whatever the field says; the API
    reports TLSv1 for it."""
    if not isinstance(cert, dict) or not cert:
        return {"minimum_protocol_version": None, "default_certificate": None}
    default = cert.get("CloudFrontDefaultCertificate")
    if not isinstance(default, bool):
        default = not (cert.get("ACMCertificateArn") or cert.get("IAMCertificateId"))
    return {"minimum_protocol_version": cert.get("MinimumProtocolVersion") or ("TLSv1" if default else None),
            "default_certificate": default}


def parse_origins(distribution_id: str, config: dict[str, Any]) -> list[dict[str, Any]]:
    """``origins`` rows from a distribution (config or summary: both carry ``Origins``)."""
    rows = []
    for origin in _items(config.get("Origins")):
        s3 = origin.get("S3OriginConfig")
        domain = origin.get("DomainName", "")
        s3_domain = ".s3." in domain or domain.endswith(".s3.amazonaws.com")
        is_s3 = s3 is not None or (s3_domain and origin.get("CustomOriginConfig") is None)
        rows.append({
            "distribution_id": distribution_id,
            "origin_id": origin.get("Id", ""),
            "domain": domain,
            "origin_type": "s3" if is_s3 else "custom",
            "origin_access_control_id": origin.get("OriginAccessControlId") or "",
            "origin_access_identity": (s3 or {}).get("OriginAccessIdentity") or "",
        })
    return rows


def _legacy_forwarding(fv: dict[str, Any]) -> tuple[str, str, str]:
    cookies = str((fv.get("Cookies") or {}).get("Forward", "none"))
    headers = _items(fv.get("Headers"))
    header_mode = "all" if "*" in headers else ("whitelist" if headers else "none")
    if not fv.get("QueryString", False):
        qs_mode = "none"
    else:
        qs_mode = "whitelist" if _items(fv.get("QueryStringCacheKeys")) else "all"
    return cookies, header_mode, qs_mode


def _behavior_row(distribution_id: str, behavior: dict[str, Any], path: str,
                  policies: dict[str, dict[str, Any]]) -> dict[str, Any]:
    policy_id = behavior.get("CachePolicyId") or ""
    row: dict[str, Any] = {
        "distribution_id": distribution_id,
        "path_pattern": path,
        "target_origin_id": behavior.get("TargetOriginId", ""),
        "cache_policy": policy_id,
        "compress": bool(behavior.get("Compress", False)),
        "viewer_protocol_policy": behavior.get("ViewerProtocolPolicy", ""),
    }
    if policy_id:
        policy = policies.get(policy_id) or {}
        row.update({
            "cache_policy_name": policy.get("name", ""),
            "ttl_min": policy.get("ttl_min"),
            "ttl_default": policy.get("ttl_default"),
            "ttl_max": policy.get("ttl_max"),
            "forward_cookies": policy.get("cookies") or None,
            "forward_headers": policy.get("headers") or None,
            "forward_query_strings": policy.get("query_strings") or None,
        })
    else:
        cookies, headers, query_strings = _legacy_forwarding(behavior.get("ForwardedValues") or {})
        row.update({
            "cache_policy_name": "",
            "ttl_min": behavior.get("MinTTL"),
            "ttl_default": behavior.get("DefaultTTL"),
            "ttl_max": behavior.get("MaxTTL"),
            "forward_cookies": cookies,
            "forward_headers": headers,
            "forward_query_strings": query_strings,
        })
    return row


def parse_cache_behaviors(distribution_id: str, config: dict[str, Any],
                          policies: dict[str, dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """``cache_behaviors`` rows: the default behaviour (``*``) first, then the ordered path behaviours.

    ``policies`` maps cache policy ids to ``cache_policies`` rows (see :func:`parse_cache_policy`);
    an id missing from it leaves the name empty and the TTLs None (unknown).
    """
    policies = policies or {}
    rows = []
    default = config.get("DefaultCacheBehavior")
    if default:
        rows.append(_behavior_row(distribution_id, default, "*", policies))
    for behavior in _items(config.get("CacheBehaviors")):
        rows.append(_behavior_row(distribution_id, behavior, behavior.get("PathPattern", ""), policies))
    return rows


def policy_ids_in_use(config: dict[str, Any]) -> set[str]:
    """Cache policy ids referenced by a distribution's behaviours."""
    behaviors = [config.get("DefaultCacheBehavior") or {}, *_items(config.get("CacheBehaviors"))]
    return {b["CachePolicyId"] for b in behaviors if b.get("CachePolicyId")}


# ------------------------------------------------------------------------------ collection
OPERATIONS: list[tuple[str, str]] = [
    ("cloudfront", "ListDistributions"),
    ("cloudfront", "GetDistributionConfig"),
    ("cloudfront", "ListCachePolicies"),
    ("cloudfront", "GetCachePolicy"),
]
TABLES: list[str] = ["distributions", "origins", "cache_behaviors", "cache_policies"]


def _list_cache_policies(ctx: Any, region: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    marker = None
    seen: set[str] = set()
    while True:
        resp = ctx.call("cloudfront", "ListCachePolicies", region, **({"Marker": marker} if marker else {}))
        page = resp.get("CachePolicyList") or {}
        items += page.get("Items") or []
        marker = page.get("NextMarker")
        if not marker or marker in seen:
            return items
        seen.add(marker)


def collect_global(ctx: Any) -> dict[str, list[dict[str, Any]]]:
    """CloudFront distributions (full configs), their origins and behaviours, and cache policies."""
    region = "global"
    summaries = ctx.paginate("cloudfront", "ListDistributions", region, "DistributionList.Items")
    configs = ctx.map(
        lambda s: ctx.call("cloudfront", "GetDistributionConfig", region, Id=s["Id"]).get("DistributionConfig"),
        summaries,
    )
    # the summary carries the same behaviours/origins: fall back to it when the config is unreadable
    configs = [c or s for s, c in zip(summaries, configs, strict=True)]
    policy_rows = [parse_cache_policy(p) for p in _list_cache_policies(ctx, region)] if summaries else []
    policies = {p["id"]: p for p in policy_rows}
    missing = sorted({pid for c in configs for pid in policy_ids_in_use(c)} - set(policies))
    for pid, resp in zip(missing, ctx.map(lambda i: ctx.call("cloudfront", "GetCachePolicy", region, Id=i),
                                          missing), strict=True):
        if resp.get("CachePolicy"):
            row = parse_cache_policy(resp["CachePolicy"])
            row["type"] = "managed" if "Managed-" in row["name"] else "custom"
            policies[pid] = row
            policy_rows.append(row)
    return {
        "distributions": [parse_distribution(s, c) for s, c in zip(summaries, configs, strict=True)],
        "origins": [o for s, c in zip(summaries, configs, strict=True) for o in parse_origins(s["Id"], c)],
        "cache_behaviors": [b for s, c in zip(summaries, configs, strict=True)
                            for b in parse_cache_behaviors(s["Id"], c, policies)],
        "cache_policies": policy_rows,
    }
