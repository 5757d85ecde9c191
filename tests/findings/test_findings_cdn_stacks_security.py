"""CloudFront, CloudFormation/Copilot and light security rules."""

from __future__ import annotations

from awsassess.findings import evaluate
from awsassess.findings.cdn import CACHING_DISABLED_ID
from snapshots_factory import SnapshotBuilder


def run(b: SnapshotBuilder, rule: str, **overrides):
    return evaluate(b.build(), overrides or None, rules=[rule])


OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6"


def distribution(b: SnapshotBuilder, dist: str = "E1ABC", **kw):
    row = dict(distribution_id=dist, domain=f"{dist.lower()}.cloudfront.net", price_class="PriceClass_100",
               enabled=True, http_version="http2and3")
    row.update(kw)
    b.add("distributions", **row)


def behaviour(b: SnapshotBuilder, path: str, dist: str = "E1ABC", policy: str = OPTIMIZED, name: str = "", **kw):
    row = dict(distribution_id=dist, path_pattern=path, target_origin_id="alb", cache_policy=policy,
               cache_policy_name=name, compress=True)
    row.update(kw)
    b.add("cache_behaviors", **row)


def test_low_cache_hit_ratio_request_weighted():
    b = SnapshotBuilder()
    distribution(b)
    behaviour(b, "*", policy=CACHING_DISABLED_ID, name="Managed-CachingDisabled")
    behaviour(b, "/static/*")
    dims = {"DistributionId": "E1ABC", "Region": "Global"}
    # busy hours at 30%, quiet hours at 90%: the plain mean (60%) would hide the problem
    b.metric("AWS/CloudFront", "CacheHitRate", "E1ABC", [30.0, 90.0] * 100, dims=dims)
    b.metric("AWS/CloudFront", "Requests", "E1ABC", [9000, 1000] * 100, stat="Sum", dims=dims)
    (f,) = run(b, "CDN-001")
    assert f.evidence["request_weighted"] and f.evidence["cache_hit_rate_pct"] == 36.0
    assert list(f.evidence["behaviours_defeating_cache"]) == ["*"]
    good = SnapshotBuilder()
    distribution(good)
    good.metric("AWS/CloudFront", "CacheHitRate", "E1ABC", [85.0] * 48, dims=dims)
    assert run(good, "CDN-001") == []


def test_caching_disabled_behaviours_but_not_static():
    b = SnapshotBuilder()
    distribution(b)
    behaviour(b, "*", policy=CACHING_DISABLED_ID)
    behaviour(b, "/static/*")
    behaviour(b, "/api/*", policy="", ttl_default=0, ttl_max=0, forward_cookies="all")
    (f,) = run(b, "CDN-002")
    paths = {x["path_pattern"]: x for x in f.evidence["behaviours"]}
    assert set(paths) == {"*", "/api/*"}
    assert paths["/api/*"]["issues"] == ["TTL 0", "all cookies in the cache key"]
    assert f.severity == "medium"  # the default behaviour is affected
    ok = SnapshotBuilder()
    distribution(ok)
    behaviour(ok, "/static/*")
    assert run(ok, "CDN-002") == []


def test_caching_disabled_only_on_api_is_low():
    b = SnapshotBuilder()
    behaviour(b, "/api/*", policy=CACHING_DISABLED_ID)
    (f,) = run(b, "CDN-002")
    assert f.severity == "low"


def test_compression_http_version_price_class_disabled():
    b = SnapshotBuilder(regions=["us-east-1", "eu-west-1"])
    distribution(b, "E1", price_class="PriceClass_All", http_version="http1.1")
    distribution(b, "E2", enabled=False)
    behaviour(b, "*", dist="E1", compress=False)
    behaviour(b, "*", dist="E2")
    assert [f.resource_ids for f in run(b, "CDN-003")] == [["E1"]]
    (h,) = run(b, "CDN-004")
    assert h.resource_ids == ["E1"] and h.severity == "medium"
    (p,) = run(b, "CDN-005")
    assert p.evidence["suggested_price_class"] == "PriceClass_100"
    assert p.evidence["audience"] == ["europe", "north_america"]
    assert [f.resource_ids for f in run(b, "CDN-007")] == [["E2"]]
    # a global audience keeps PriceClass_All
    assert run(b, "CDN-005", cdn_audience_continents=["north_america", "south_america"]) == []
    ok = SnapshotBuilder()
    distribution(ok)
    behaviour(ok, "*")
    for rule in ("CDN-003", "CDN-004", "CDN-005", "CDN-007"):
        assert run(ok, rule) == []


def test_s3_origin_without_oac():
    b = SnapshotBuilder()
    b.add("origins", distribution_id="E1", origin_id="assets", domain="assets.s3.amazonaws.com", origin_type="s3",
          origin_access_control_id="", origin_access_identity="")
    b.add("origins", distribution_id="E1", origin_id="legacy", domain="l.s3.amazonaws.com", origin_type="s3",
          origin_access_control_id="", origin_access_identity="origin-access-identity/cloudfront/E2")
    b.add("origins", distribution_id="E1", origin_id="good", domain="g.s3.amazonaws.com", origin_type="s3",
          origin_access_control_id="E3OAC")
    b.add("origins", distribution_id="E1", origin_id="alb", domain="alb.example.com", origin_type="custom")
    found = {f.resource_ids[1]: f.severity for f in run(b, "CDN-006")}
    assert found == {"assets": "medium", "legacy": "low"}


# ------------------------------------------------------------------------ stacks
def copilot_stacks(b: SnapshotBuilder, services=("web", "api"), envs=("production",)):
    b.add("stacks", stack_name="fintech-infrastructure-roles", status="CREATE_COMPLETE",
          copilot_application="fintech", template_bytes=9000, resource_count=6)
    for env in envs:
        b.add("stacks", stack_name=f"fintech-{env}", status="UPDATE_COMPLETE", copilot_application="fintech",
              copilot_environment=env, template_bytes=44474, resource_count=60)
        for svc in services:
            b.add("stacks", stack_name=f"fintech-{env}-{svc}", status="UPDATE_COMPLETE", copilot_application="fintech",
                  copilot_environment=env, copilot_service=svc, template_bytes=20000, resource_count=30)


def test_copilot_application_map():
    b = SnapshotBuilder()
    copilot_stacks(b, envs=("staging", "production"))
    b.add("stacks", stack_name="other", status="CREATE_COMPLETE")
    (f,) = run(b, "STK-001")
    assert f.evidence["application"] == "fintech"
    assert f.evidence["environments"] == ["production", "staging"]
    assert f.evidence["services"] == {"api": ["production", "staging"], "web": ["production", "staging"]}
    no = SnapshotBuilder()
    no.add("stacks", stack_name="plain", status="CREATE_COMPLETE")
    assert run(no, "STK-001") == []


def test_stacks_near_limits():
    b = SnapshotBuilder()
    copilot_stacks(b)
    b.add("stacks", stack_name="huge", status="UPDATE_COMPLETE", template_bytes=900_000, resource_count=420)
    found = {f.evidence["stack_name"]: f.severity for f in run(b, "STK-002")}
    assert found == {"fintech-production": "low", "huge": "high"}  # 44,474 B > 80% of 51,200 inline
    ok = SnapshotBuilder()
    ok.add("stacks", stack_name="small", status="CREATE_COMPLETE", template_bytes=10_000, resource_count=20)
    assert run(ok, "STK-002") == []


def test_failed_stack_names_the_failing_resource():
    b = SnapshotBuilder()
    b.add("stacks", stack_name="fintech-production-wallet", status="UPDATE_ROLLBACK_COMPLETE",
          copilot_application="fintech", copilot_service="wallet")
    b.add("stacks", stack_name="fine", status="UPDATE_COMPLETE")
    ev = [("fintech-production-wallet", "AWS::CloudFormation::Stack", "UPDATE_IN_PROGRESS", "User Initiated", 30),
          ("Service", "AWS::ECS::Service", "UPDATE_FAILED", "Resource handler returned message: circuit breaker", 20),
          ("TaskDefinition", "AWS::ECS::TaskDefinition", "UPDATE_FAILED", "Resource update cancelled", 19),
          ("fintech-production-wallet", "AWS::CloudFormation::Stack", "UPDATE_ROLLBACK_COMPLETE", "", 5)]
    for logical, rtype, status, reason, minutes_ago in ev:
        b.add("stack_events", stack_name="fintech-production-wallet", timestamp=b.at(minutes=minutes_ago),
              logical_id=logical, resource_type=rtype, status=status, reason=reason)
    (f,) = run(b, "STK-003")
    assert f.evidence["failing_resource"]["logical_id"] == "Service"
    assert f.severity == "medium"
    broken = SnapshotBuilder()
    broken.add("stacks", stack_name="x", status="ROLLBACK_COMPLETE")
    (g,) = run(broken, "STK-003")
    assert g.severity == "high" and g.evidence["failing_resource"] is None
    ok = SnapshotBuilder()
    ok.add("stacks", stack_name="fine", status="UPDATE_COMPLETE")
    assert run(ok, "STK-003") == []


def test_copilot_ec2_move_note():
    b = SnapshotBuilder()
    copilot_stacks(b)
    b.fargate_service("web", tags={"copilot-application": "fintech", "copilot-service": "web"})
    b.fargate_service("fintech-production-api-Service-XYZ")
    b.add("stack_resources", stack_name="fintech-production-api", logical_id="Service",
          physical_id="arn:aws:ecs:us-east-1:123456789012:service/main/fintech-production-api-Service-XYZ",
          resource_type="AWS::ECS::Service")
    (f,) = run(b, "STK-004")
    assert f.severity == "info" and f.evidence["services"] == ["api", "web"]
    assert f.evidence["on_fargate"] == ["api", "web"]
    none = SnapshotBuilder()
    none.add("stacks", stack_name="plain", status="CREATE_COMPLETE")
    assert run(none, "STK-004") == []


# ---------------------------------------------------------------------- security
def test_plaintext_secret_names_only():
    b = SnapshotBuilder()
    b.add("task_definitions", task_definition_arn="arn:td/kyc:3", family="kyc", revision=3,
          plaintext_secret_names=["KYC_PROVIDER_API_KEY"], secret_ref_count=1)
    b.add("task_definitions", task_definition_arn="arn:td/web:1", family="web", revision=1, plaintext_secret_names=[])
    b.add("build_projects", name="api-build", plaintext_secret_names=["NPM_TOKEN"])
    b.add("build_projects", name="web-build", plaintext_secret_names=[])
    (t,) = run(b, "SEC-001")
    assert t.evidence["variable_names"] == ["KYC_PROVIDER_API_KEY"] and t.severity == "high"
    (p,) = run(b, "SEC-002")
    assert p.resource_ids == ["api-build"] and p.severity == "high"
    ok = SnapshotBuilder()
    ok.add("task_definitions", task_definition_arn="arn:td/web:1", family="web", revision=1)
    assert run(ok, "SEC-001") == [] and run(ok, "SEC-002") == []


def test_public_database():
    b = SnapshotBuilder()
    b.add("db_instances", db_instance_id="open", engine="postgres", publicly_accessible=True)
    b.add("db_instances", db_instance_id="closed", engine="postgres", publicly_accessible=False)
    assert [f.resource_ids for f in run(b, "SEC-003")] == [["open"]]


def test_secret_names_that_are_locations_are_not_reported():
    b = SnapshotBuilder()
    b.add("build_projects", name="web-build", plaintext_secret_names=["ECR_REPOSITORY", "DOCKERHUB_PASSWORD"])
    b.add("build_projects", name="api-build", plaintext_secret_names=["ECR_REPOSITORY", "ECR_REGISTRY"])
    b.add("build_projects", name="odd-build", plaintext_secret_names=["CONFIG_BLOB"])
    found = {f.resource_ids[0]: f for f in run(b, "SEC-002")}
    assert set(found) == {"web-build", "odd-build"}
    assert found["web-build"].evidence["variable_names"] == ["DOCKERHUB_PASSWORD"]
    assert found["odd-build"].severity == "low"
    assert found["odd-build"].evidence["flagged_by_value_only"] == ["CONFIG_BLOB"]
