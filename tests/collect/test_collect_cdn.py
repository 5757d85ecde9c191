"""CloudFront collector: parse functions on AWS's published ListDistributions example (validated by
botocore's Stubber), then distributions over HTTP against moto; cache-policy resolution against the
simulated estate (moto has no cache-policy routes; the estate answers them)."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
import pytest
from awsassess.collect import cdn
from awsassess.tables import loads
from botocore_stub import stubbed
from paths import FIXTURES

EXAMPLES = FIXTURES / "shared-testdata" / "aws-examples" / "responses"
ACCT = "333300000001"  # shared by the collector test modules (disjoint services)

# AWS's managed "CachingOptimized" policy, with the settings AWS documents for it
CACHING_OPTIMIZED = {"Type": "managed", "CachePolicy": {
    "Id": "658327ea-f89d-4fab-a63d-7e88639e58f6", "LastModifiedTime": "2020-10-22T00:00:00Z",
    "CachePolicyConfig": {
        "Name": "Managed-CachingOptimized", "Comment": "Policy with caching enabled. Supports Gzip and Brotli compression.",
        "MinTTL": 1, "DefaultTTL": 86400, "MaxTTL": 31536000,
        "ParametersInCacheKeyAndForwardedToOrigin": {
            "EnableAcceptEncodingGzip": True, "EnableAcceptEncodingBrotli": True,
            "HeadersConfig": {"HeaderBehavior": "none"}, "CookiesConfig": {"CookieBehavior": "none"},
            "QueryStringsConfig": {"QueryStringBehavior": "none"}}}}}


def list_distributions_example() -> dict[str, Any]:
    body = json.loads((EXAMPLES / "cloudfront.ListDistributions.awscli.json").read_text())
    # the doc example leaves out members the model requires (README): add them, change nothing else
    body["DistributionList"].update(Marker="", MaxItems=100, IsTruncated=False,
                                    Quantity=len(body["DistributionList"]["Items"]))
    return stubbed("cloudfront", "ListDistributions", body)


def test_parse_distribution_from_the_cli_example() -> None:
    summary = list_distributions_example()["DistributionList"]["Items"][0]
    row = cdn.parse_distribution(summary)
    assert row["distribution_id"] == "E23YS8OEXAMPLE" and row["domain"] == "abcdefgh12ijk.cloudfront.net"
    assert (row["price_class"], row["http_version"], row["ipv6"], row["enabled"]) == ("PriceClass_All", "http2", True, True)
    assert row["web_acl"] == "" and loads(row["aliases"]) == [] and row["origin_count"] == 1
    origins = cdn.parse_origins(summary["Id"], summary)
    assert origins == [{"distribution_id": "E23YS8OEXAMPLE", "origin_id": "amzn-s3-demo-bucket.s3.us-east-1.amazonaws.com",
                        "domain": "amzn-s3-demo-bucket.s3.us-east-1.amazonaws.com", "origin_type": "s3",
                        "origin_access_control_id": "EIAP8PEXAMPLE", "origin_access_identity": ""}]
    legacy = summary["Origins"]["Items"][0]  # the same origin with a legacy OAI instead of the OAC
    legacy.update(OriginAccessControlId="", S3OriginConfig={"OriginAccessIdentity": "origin-access-identity/cloudfront/E1OAI"})
    row = cdn.parse_origins(summary["Id"], summary)[0]
    assert (row["origin_access_identity"], row["origin_access_control_id"]) == ("origin-access-identity/cloudfront/E1OAI", "")


def test_behaviours_resolve_cache_policies() -> None:
    summary = list_distributions_example()["DistributionList"]["Items"][0]
    listed = stubbed("cloudfront", "ListCachePolicies", {"CachePolicyList": {
        "MaxItems": 100, "Quantity": 1, "Items": [CACHING_OPTIMIZED]}})
    policy_rows = [cdn.parse_cache_policy(p) for p in listed["CachePolicyList"]["Items"]]
    assert policy_rows[0] == {"id": "658327ea-f89d-4fab-a63d-7e88639e58f6", "name": "Managed-CachingOptimized",
                              "type": "managed", "ttl_min": 1, "ttl_default": 86400, "ttl_max": 31536000,
                              "cookies": "none", "headers": "none", "query_strings": "none", "gzip": True,
                              "brotli": True}
    # the example's policy id is a placeholder ("...7e886EXAMPLE"): unknown policy -> name '' and TTLs None
    rows = cdn.parse_cache_behaviors(summary["Id"], summary, {p["id"]: p for p in policy_rows})
    assert len(rows) == 1 and rows[0]["path_pattern"] == "*"
    assert rows[0]["cache_policy"] == "658327ea-f89d-4fab-a63d-7e886EXAMPLE"
    assert rows[0]["cache_policy_name"] == "" and rows[0]["ttl_default"] is None and rows[0]["compress"] is True
    # the same behaviour pointing at the real managed id resolves to its name and TTLs
    summary["DefaultCacheBehavior"]["CachePolicyId"] = CACHING_OPTIMIZED["CachePolicy"]["Id"]
    row = cdn.parse_cache_behaviors(summary["Id"], summary, {p["id"]: p for p in policy_rows})[0]
    assert (row["cache_policy_name"], row["ttl_min"], row["ttl_default"], row["ttl_max"]) == (
        "Managed-CachingOptimized", 1, 86400, 31536000)
    assert (row["forward_cookies"], row["forward_headers"], row["forward_query_strings"]) == ("none", "none", "none")


# ------------------------------------------------------------------ over HTTP (moto)
def _behaviour(origin: str, **extra: Any) -> dict[str, Any]:
    return {"TargetOriginId": origin, "ViewerProtocolPolicy": "redirect-to-https",
            "AllowedMethods": {"Quantity": 2, "Items": ["GET", "HEAD"],
                               "CachedMethods": {"Quantity": 2, "Items": ["GET", "HEAD"]}}, **extra}


@pytest.fixture(scope="module")
def snapshot(moto_url: str, moto_session: Any, moto_collect: Any, tmp_path_factory: pytest.TempPathFactory) -> Any:
    cf = moto_session(ACCT).client("cloudfront", endpoint_url=moto_url)
    legacy = {"QueryString": True, "Cookies": {"Forward": "all"},
              "Headers": {"Quantity": 1, "Items": ["*"]}, "QueryStringCacheKeys": {"Quantity": 0}}
    whitelist = {"QueryString": True, "Cookies": {"Forward": "whitelist", "WhitelistedNames": {"Quantity": 1, "Items": ["s"]}},
                 "Headers": {"Quantity": 1, "Items": ["Accept-Language"]},
                 "QueryStringCacheKeys": {"Quantity": 1, "Items": ["lang"]}}
    config = {
        "CallerReference": "web", "Comment": "web", "Enabled": True, "PriceClass": "PriceClass_All",
        "HttpVersion": "http2and3", "IsIPV6Enabled": True, "Aliases": {"Quantity": 1, "Items": ["www.example.com"]},
        "Origins": {"Quantity": 2, "Items": [
            {"Id": "alb", "DomainName": "web-123.us-east-1.elb.amazonaws.com",
             "CustomOriginConfig": {"HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "https-only"}},
            {"Id": "assets", "DomainName": "assets.s3.us-east-1.amazonaws.com",
             "S3OriginConfig": {"OriginAccessIdentity": "origin-access-identity/cloudfront/E1OAI"}}]},
        "DefaultCacheBehavior": _behaviour("alb", ForwardedValues=legacy, MinTTL=0, DefaultTTL=0, MaxTTL=0,
                                           Compress=False),
        "CacheBehaviors": {"Quantity": 2, "Items": [
            {**_behaviour("assets", ForwardedValues=whitelist, MinTTL=0, DefaultTTL=3600, MaxTTL=86400,
                          Compress=True), "PathPattern": "/static/*"},
            {**_behaviour("assets", CachePolicyId=CACHING_OPTIMIZED["CachePolicy"]["Id"], Compress=True),
             "PathPattern": "/img/*"}]},
    }
    cf.create_distribution(DistributionConfig=config)
    return moto_collect(ACCT, cdn, tmp_path_factory.mktemp("out"))


def test_distribution_and_origins(snapshot: Any) -> None:
    d = snapshot.table("distributions")
    assert len(d) == 1
    row = d.iloc[0]
    assert (row["price_class"], row["http_version"], row["ipv6"], row["enabled"]) == ("PriceClass_All", "http2and3", True, True)
    assert loads(row["aliases"]) == ["www.example.com"] and row["origin_count"] == 2
    assert row["region"] == "global" and row["account_id"] == ACCT
    o = snapshot.table("origins").set_index("origin_id")
    assert (o.loc["alb", "origin_type"], o.loc["assets", "origin_type"]) == ("custom", "s3")
    # (moto drops S3OriginConfig, so the OAI is checked on the AWS example instead)


def test_legacy_behaviours_and_unresolved_policy(snapshot: Any) -> None:
    b = snapshot.table("cache_behaviors").set_index("path_pattern")
    assert list(b.index) == ["*", "/static/*", "/img/*"]
    default = b.loc["*"]
    assert (default["forward_cookies"], default["forward_headers"], default["forward_query_strings"]) == ("all", "all", "all")
    assert (default["ttl_default"], default["compress"], default["cache_policy"]) == (0, False, "")
    static = b.loc["/static/*"]
    assert (static["forward_cookies"], static["forward_headers"], static["forward_query_strings"]) == (
        "whitelist", "whitelist", "whitelist")
    assert (static["ttl_max"], static["compress"]) == (86400, True)
    img = b.loc["/img/*"]
    # moto echoes a ForwardedValues block next to the policy id: the policy wins; moto cannot resolve it
    assert img["cache_policy"] == CACHING_OPTIMIZED["CachePolicy"]["Id"] and img["cache_policy_name"] == ""
    assert pd.isna(img["forward_cookies"]) and pd.isna(img["ttl_default"])
    cov = snapshot.table("coverage").set_index("operation")
    assert cov.loc["ListCachePolicies", "status"] == "not_implemented"  # moto: 404, no route
    assert cov.loc["GetDistributionConfig", "status"] == "ok"


# ------------------------------------------------------------------ the simulated estate
def test_estate_distribution_with_resolved_policies(collect_demo: Any) -> None:
    from awsassess.demo.estate import PRODUCTION, expected_counts

    snap = collect_demo(PRODUCTION, cdn)
    assert len(snap.table("distributions")) == expected_counts(PRODUCTION)["distributions"]
    policies = snap.table("cache_policies")
    assert "Managed-CachingOptimized" in set(policies["name"]) and set(policies["type"]) >= {"managed"}
    b = snap.table("cache_behaviors")
    assert (b["path_pattern"] == "*").sum() == 1
    with_policy = b[b["cache_policy"] != ""]
    assert (with_policy["cache_policy_name"] != "").all()  # every referenced policy resolved
    cov = snap.table("coverage")
    assert set(cov["status"]) == {"ok"}, cov[cov["status"] != "ok"].to_dict("records")
