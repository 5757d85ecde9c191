"""Seed CloudFront: one distribution in front of the web ALB (plus S3 static assets and the api ALB).

Behaviours: ``/static/*`` -> S3 with OAC and the managed CachingOptimized policy (healthy);
``/api/*`` -> api ALB with managed CachingDisabled; default ``*`` -> web ALB with legacy
ForwardedValues (all cookies, all query strings, TTLs 0) and compression off (the finding).
"""

from __future__ import annotations

from awsassess.demo.estate import APP
from awsassess.demo.seedkit import AccountState, Seeder, copilot_tags, stable_hex, tag_list
from awsassess.demo.sim.cloudfront import fill_distribution_times

CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6"
CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
ALL_VIEWER_EXCEPT_HOST = "b689b0a8-53d0-40ab-baf2-68738e2966ac"
ALL_METHODS = {"Quantity": 7, "Items": ["GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"],
               "CachedMethods": {"Quantity": 2, "Items": ["GET", "HEAD"]}}
READ_METHODS = {"Quantity": 2, "Items": ["GET", "HEAD"], "CachedMethods": {"Quantity": 2, "Items": ["GET", "HEAD"]}}


def _custom_origin(origin_id: str, domain: str) -> dict[str, object]:
    return {"Id": origin_id, "DomainName": domain, "OriginPath": "",
            "CustomHeaders": {"Quantity": 0},
            "CustomOriginConfig": {"HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "http-only",
                                   "OriginSslProtocols": {"Quantity": 1, "Items": ["TLSv1.2"]},
                                   "OriginReadTimeout": 30, "OriginKeepaliveTimeout": 5},
            "ConnectionAttempts": 3, "ConnectionTimeout": 10}


def seed_distribution(seeder: Seeder, state: AccountState) -> None:
    if "web" not in state.lbs:
        return
    env = state.env
    bucket = f"{APP}-{env}-static-{stable_hex(state.account_id, n=6)}"
    s3 = seeder.client("s3", state.account_id)
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": tag_list(copilot_tags(env))})
    cf = seeder.client("cloudfront", state.account_id)
    oac = cf.create_origin_access_control(OriginAccessControlConfig={
        "Name": f"{APP}-{env}-static", "Description": "static assets", "SigningProtocol": "sigv4",
        "SigningBehavior": "always", "OriginAccessControlOriginType": "s3"})["OriginAccessControl"]["Id"]
    s3_origin = {"Id": "static-s3", "DomainName": f"{bucket}.s3.us-east-1.amazonaws.com", "OriginPath": "",
                 "CustomHeaders": {"Quantity": 0}, "S3OriginConfig": {"OriginAccessIdentity": ""},
                 "OriginAccessControlId": oac, "ConnectionAttempts": 3, "ConnectionTimeout": 10}
    origins = [_custom_origin("web-alb", state.lbs["web"].dns_name), s3_origin]
    behaviors = [{
        "PathPattern": "/static/*", "TargetOriginId": "static-s3", "ViewerProtocolPolicy": "redirect-to-https",
        "AllowedMethods": READ_METHODS, "Compress": True, "CachePolicyId": CACHING_OPTIMIZED,
        "SmoothStreaming": False, "FieldLevelEncryptionId": "",
        "TrustedSigners": {"Enabled": False, "Quantity": 0}, "TrustedKeyGroups": {"Enabled": False, "Quantity": 0},
        "LambdaFunctionAssociations": {"Quantity": 0}, "FunctionAssociations": {"Quantity": 0}}]
    if "api" in state.lbs:
        origins.append(_custom_origin("api-alb", state.lbs["api"].dns_name))
        behaviors.append({
            "PathPattern": "/api/*", "TargetOriginId": "api-alb", "ViewerProtocolPolicy": "https-only",
            "AllowedMethods": ALL_METHODS, "Compress": True, "CachePolicyId": CACHING_DISABLED,
            "OriginRequestPolicyId": ALL_VIEWER_EXCEPT_HOST, "SmoothStreaming": False, "FieldLevelEncryptionId": "",
            "TrustedSigners": {"Enabled": False, "Quantity": 0}, "TrustedKeyGroups": {"Enabled": False, "Quantity": 0},
            "LambdaFunctionAssociations": {"Quantity": 0}, "FunctionAssociations": {"Quantity": 0}})
    default = {
        "TargetOriginId": "web-alb", "ViewerProtocolPolicy": "redirect-to-https", "AllowedMethods": ALL_METHODS,
        "Compress": False, "SmoothStreaming": False, "FieldLevelEncryptionId": "",
        "ForwardedValues": {"QueryString": True, "Cookies": {"Forward": "all"}, "Headers": {"Quantity": 0},
                            "QueryStringCacheKeys": {"Quantity": 0}},
        "MinTTL": 0, "DefaultTTL": 0, "MaxTTL": 0,
        "TrustedSigners": {"Enabled": False, "Quantity": 0}, "TrustedKeyGroups": {"Enabled": False, "Quantity": 0},
        "LambdaFunctionAssociations": {"Quantity": 0}, "FunctionAssociations": {"Quantity": 0}}
    config = {
        "CallerReference": f"{APP}-{env}-web", "Comment": f"{APP} {env} web", "Enabled": True,
        "PriceClass": "PriceClass_All", "HttpVersion": "http2", "IsIPV6Enabled": True, "DefaultRootObject": "",
        "Origins": {"Quantity": len(origins), "Items": origins}, "DefaultCacheBehavior": default,
        "CacheBehaviors": {"Quantity": len(behaviors), "Items": behaviors},
        "ViewerCertificate": {"CloudFrontDefaultCertificate": True, "MinimumProtocolVersion": "TLSv1",
                              "CertificateSource": "cloudfront"},
        "Restrictions": {"GeoRestriction": {"RestrictionType": "none", "Quantity": 0}},
        "Logging": {"Enabled": False, "IncludeCookies": False, "Bucket": "", "Prefix": ""},
        "WebACLId": "",
    }
    dist = cf.create_distribution_with_tags(DistributionConfigWithTags={
        "DistributionConfig": config, "Tags": {"Items": tag_list(copilot_tags(env, "web"))}})["Distribution"]
    state.extra["distribution_id"] = dist["Id"]
    fill_distribution_times(state.account_id, dist["Id"], seeder.days_ago(3))
