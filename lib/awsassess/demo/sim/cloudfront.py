"""CloudFront fills: distribution times, and the AWS managed cache / origin-request policies
answered in the front door (moto has no route for them)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from awsassess.demo.frontdoor import SimHandler

# The operations whose answers this module changes or replaces (its part of
# awsassess.demo.sim.FILLED_OPERATIONS); the comment names the function(s) responsible.
FILLED_OPERATIONS: tuple[tuple[str, str], ...] = (
    ("cloudfront", "ListDistributions"),  # fill_distribution_times
    ("cloudfront", "GetDistribution"),  # fill_distribution_times
    ("cloudfront", "ListCachePolicies"),  # cloudfront_list_cache_policies (front door)
    ("cloudfront", "GetCachePolicy"),  # cloudfront_get_cache_policy (front door)
    ("cloudfront", "GetCachePolicyConfig"),  # cloudfront_get_cache_policy (front door)
    ("cloudfront", "ListOriginRequestPolicies"),  # cloudfront_list_origin_request_policies (front door)
    ("cloudfront", "GetOriginRequestPolicy"),  # cloudfront_get_origin_request_policy (front door)
    ("cloudfront", "ListResponseHeadersPolicies"),  # cloudfront_list_response_headers_policies (front door)
)


def fill_distribution_times(account_id: str, distribution_id: str, last_modified: datetime) -> None:
    """Gap: a distribution's ``LastModifiedTime`` is hard-coded to 2021-11-27.

    Fill (A): set ``last_modified_time`` on moto's Distribution.
    """
    from moto.cloudfront.models import cloudfront_backends

    dist = cloudfront_backends[account_id]["aws"].distributions[distribution_id]
    dist.last_modified_time = last_modified.strftime("%Y-%m-%dT%H:%M:%S.000Z")


_POLICY_DATE = "2020-10-22T00:00:00.000Z"  # managed policies were published in 2020


def _cache_policy(pid: str, name: str, comment: str, ttls: tuple[int, int, int], gzip: bool) -> dict[str, Any]:
    min_ttl, default_ttl, max_ttl = ttls
    return {"Id": pid, "LastModifiedTime": _POLICY_DATE, "CachePolicyConfig": {
        "Comment": comment, "Name": name, "MinTTL": min_ttl, "DefaultTTL": default_ttl, "MaxTTL": max_ttl,
        "ParametersInCacheKeyAndForwardedToOrigin": {
            "EnableAcceptEncodingGzip": gzip, "EnableAcceptEncodingBrotli": gzip,
            "HeadersConfig": {"HeaderBehavior": "none"}, "CookiesConfig": {"CookieBehavior": "none"},
            "QueryStringsConfig": {"QueryStringBehavior": "none"}}}}


# AWS managed cache policies (real ids and settings)
MANAGED_CACHE_POLICIES = [
    _cache_policy("658327ea-f89d-4fab-a63d-7e88639e58f6", "Managed-CachingOptimized",
                  "Policy with caching enabled. Supports Gzip and Brotli compression.", (1, 86400, 31536000), True),
    _cache_policy("4135ea2d-6df8-44a3-9df3-4b5a84be39ad", "Managed-CachingDisabled",
                  "Policy with caching disabled", (0, 0, 0), False),
    _cache_policy("b2884449-e4de-46a7-ac36-70bc7f1ddd6d", "Managed-CachingOptimizedForUncompressedObjects",
                  "Default policy when compression is disabled", (1, 86400, 31536000), False),
]
MANAGED_ORIGIN_REQUEST_POLICIES = [
    {"Id": "216adef6-5c7f-47e4-b989-5492eafa07d3", "LastModifiedTime": _POLICY_DATE, "OriginRequestPolicyConfig": {
        "Comment": "Policy to forward all parameters in viewer requests", "Name": "Managed-AllViewer",
        "HeadersConfig": {"HeaderBehavior": "allViewer"}, "CookiesConfig": {"CookieBehavior": "all"},
        "QueryStringsConfig": {"QueryStringBehavior": "all"}}},
    {"Id": "b689b0a8-53d0-40ab-baf2-68738e2966ac", "LastModifiedTime": _POLICY_DATE, "OriginRequestPolicyConfig": {
        "Comment": "Policy to forward all parameters in viewer requests except for the Host header",
        "Name": "Managed-AllViewerExceptHostHeader",
        "HeadersConfig": {"HeaderBehavior": "allExcept", "Headers": {"Quantity": 1, "Items": ["host"]}},
        "CookiesConfig": {"CookieBehavior": "all"}, "QueryStringsConfig": {"QueryStringBehavior": "all"}}},
    {"Id": "88a5eaf4-2fd4-4709-b370-b4c650ea3fcf", "LastModifiedTime": _POLICY_DATE, "OriginRequestPolicyConfig": {
        "Comment": "Policy for origins that return CORS headers", "Name": "Managed-CORS-S3Origin",
        "HeadersConfig": {"HeaderBehavior": "whitelist", "Headers": {"Quantity": 3, "Items": [
            "origin", "access-control-request-headers", "access-control-request-method"]}},
        "CookiesConfig": {"CookieBehavior": "none"}, "QueryStringsConfig": {"QueryStringBehavior": "none"}}},
]


def _shape_xml(shape: Any, value: Any, name: str) -> str:
    """Serialize ``value`` as REST-XML following botocore ``shape`` (what the AWS service would send)."""
    from xml.sax.saxutils import escape

    kind = shape.type_name
    if kind == "structure":
        inner = "".join(_shape_xml(m, value[k], m.serialization.get("name", k))
                        for k, m in shape.members.items() if value.get(k) is not None)
        return f"<{name}>{inner}</{name}>"
    if kind == "list":
        member = shape.member
        mname = member.serialization.get("name", "member")
        return f"<{name}>" + "".join(_shape_xml(member, v, mname) for v in value) + f"</{name}>"
    if kind == "boolean":
        return f"<{name}>{'true' if value else 'false'}</{name}>"
    return f"<{name}>{escape(str(value))}</{name}>"


def _cloudfront_xml(operation: str, payload: dict[str, Any], etag: str | None = None,
                    status: int = 200) -> tuple[int, dict[str, str], bytes]:
    from awsassess.demo.frontdoor import service_model

    out = service_model("cloudfront").operation_model(operation).output_shape
    member = out.serialization["payload"]
    xml = _shape_xml(out.members[member], payload, member)
    xml = xml.replace(f"<{member}>", f'<{member} xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/">', 1)
    headers = {"Content-Type": "text/xml"}
    if etag:
        headers["ETag"] = etag
    return status, headers, ('<?xml version="1.0" encoding="UTF-8"?>\n' + xml).encode()


def _path_id(environ: dict[str, Any], after: str) -> str:
    parts = environ.get("PATH_INFO", "").strip("/").split("/")
    return parts[parts.index(after) + 1] if after in parts and parts.index(after) + 1 < len(parts) else ""


def _query(environ: dict[str, Any]) -> dict[str, str]:
    from urllib.parse import parse_qs

    return {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}


def _policy_list(kind: str, items: list[dict[str, Any]], environ: dict[str, Any]) -> dict[str, Any]:
    wanted = _query(environ).get("Type")
    summaries = [{"Type": "managed", kind: p} for p in items if wanted in (None, "managed")]
    return {"MaxItems": 100, "Quantity": len(summaries), "Items": summaries}


def _not_found(code: str, message: str) -> tuple[int, dict[str, str], bytes]:
    from awsassess.demo.frontdoor import error_response

    return error_response("cloudfront", code, 404, message)


def cloudfront_list_cache_policies(environ: dict[str, Any], body: bytes) -> tuple[int, dict[str, str], bytes]:
    """Gap: ``ListCachePolicies`` has no route in moto (404). Fill (C): the AWS managed policies."""
    return _cloudfront_xml("ListCachePolicies", _policy_list("CachePolicy", MANAGED_CACHE_POLICIES, environ))


def cloudfront_get_cache_policy(environ: dict[str, Any], body: bytes) -> tuple[int, dict[str, str], bytes]:
    """Gap: ``GetCachePolicy``/``GetCachePolicyConfig`` 404 in moto. Fill (C): managed policies by id."""
    pid = _path_id(environ, "cache-policy")
    for policy in MANAGED_CACHE_POLICIES:
        if policy["Id"] == pid:
            if environ.get("PATH_INFO", "").rstrip("/").endswith("/config"):
                return _cloudfront_xml("GetCachePolicyConfig", policy["CachePolicyConfig"], etag="E1MANAGED")
            return _cloudfront_xml("GetCachePolicy", policy, etag="E1MANAGED")
    return _not_found("NoSuchCachePolicy", "The cache policy does not exist.")


def cloudfront_list_origin_request_policies(environ: dict[str, Any], body: bytes) -> tuple[int, dict[str, str], bytes]:
    """Gap: ``ListOriginRequestPolicies`` 404 in moto. Fill (C): the AWS managed policies."""
    return _cloudfront_xml("ListOriginRequestPolicies",
                           _policy_list("OriginRequestPolicy", MANAGED_ORIGIN_REQUEST_POLICIES, environ))


def cloudfront_get_origin_request_policy(environ: dict[str, Any], body: bytes) -> tuple[int, dict[str, str], bytes]:
    """Gap: ``GetOriginRequestPolicy`` 404 in moto. Fill (C): managed policies by id."""
    pid = _path_id(environ, "origin-request-policy")
    for policy in MANAGED_ORIGIN_REQUEST_POLICIES:
        if policy["Id"] == pid:
            return _cloudfront_xml("GetOriginRequestPolicy", policy, etag="E1MANAGED")
    return _not_found("NoSuchOriginRequestPolicy", "The origin request policy does not exist.")


def cloudfront_list_response_headers_policies(environ: dict[str, Any],
                                              body: bytes) -> tuple[int, dict[str, str], bytes]:
    """Gap: ``ListResponseHeadersPolicies`` 404 in moto. Fill (C): an empty list (none in use)."""
    return _cloudfront_xml("ListResponseHeadersPolicies", {"MaxItems": 100, "Quantity": 0})


# mechanism-B patches, installed by awsassess.demo.sim.apply_patches (none here)
PATCHES: tuple[Callable[[], None], ...] = ()


# (boto3 client name, operation) -> handler, answered by the front door (mechanism C)
SIMULATED_OPERATIONS: dict[tuple[str, str], SimHandler] = {
    ("cloudfront", "ListCachePolicies"): cloudfront_list_cache_policies,
    ("cloudfront", "GetCachePolicy"): cloudfront_get_cache_policy,
    ("cloudfront", "GetCachePolicyConfig"): cloudfront_get_cache_policy,
    ("cloudfront", "ListOriginRequestPolicies"): cloudfront_list_origin_request_policies,
    ("cloudfront", "GetOriginRequestPolicy"): cloudfront_get_origin_request_policy,
    ("cloudfront", "ListResponseHeadersPolicies"): cloudfront_list_response_headers_policies,
}
