"""The generated read-only IAM policy and CloudFormation role: up to date, reads only, and sufficient."""

from __future__ import annotations

import json
import re
from typing import Any

import botocore.session
import pytest
import yaml
from awsassess import guard, iam
from awsassess.collect import all_operations, load_collectors

REGEN = "regenerate with: .venv/bin/python -m awsassess.iam --write (and commit lib/awsassess/data/)"


def test_shipped_files_are_up_to_date() -> None:
    policy = iam.read_only_policy()
    assert json.loads(iam.POLICY_FILE.read_text()) == policy, f"data/iam-policy.json is stale; {REGEN}"
    assert iam.ROLE_FILE.read_text() == iam.cloudformation_role_template(policy), \
        f"data/iam-role.cfn.yaml is stale; {REGEN}"


def test_every_declared_operation_exists_in_botocore() -> None:
    session = botocore.session.get_session()
    for service, op in all_operations(load_collectors(strict=True)):
        assert op in session.get_service_model(service).operation_names, f"{service}:{op} is not an AWS operation"


def test_policy_is_reads_only() -> None:
    policy = iam.read_only_policy()
    actions = iam.policy_actions(policy)
    assert len(actions) > 40
    for action in actions:
        prefix, name = action.split(":", 1)
        assert re.fullmatch(r"[a-z0-9-]+", prefix), action
        assert not iam.is_write_action(action), action
        assert "*" not in action, action
        assert guard.READ_PREFIX.match(name), f"{action} is not a read"
    assert all(st["Effect"] == "Allow" and st["Resource"] == "*" for st in policy["Statement"])
    billed = [st for st in policy["Statement"] if "CostExplorer" in st["Sid"]]
    assert billed and billed[0]["Action"] == ["ce:GetCostAndUsage"]
    # fits in a managed policy (6,144 characters without whitespace)
    assert len(re.sub(r"\s", "", json.dumps(policy))) < 6144


def test_iam_service_prefixes() -> None:
    assert iam.iam_action("elbv2", "DescribeTargetHealth") == "elasticloadbalancing:DescribeTargetHealth"
    assert iam.iam_action("docdb", "DescribeDBClusters") == "rds:DescribeDBClusters"
    assert iam.iam_action("application-autoscaling", "DescribeScalableTargets") == \
        "application-autoscaling:DescribeScalableTargets"
    assert iam.iam_action("s3", "ListObjectsV2") == "s3:ListBucket"
    actions = iam.policy_actions(iam.read_only_policy())
    assert not any(a.startswith(("elbv2:", "docdb:")) for a in actions)


def test_cloudformation_role_requires_external_id() -> None:
    template = yaml.safe_load(iam.cloudformation_role_template())
    role = template["Resources"]["AssessmentRole"]["Properties"]
    (statement,) = role["AssumeRolePolicyDocument"]["Statement"]
    assert statement["Action"] == "sts:AssumeRole"
    assert statement["Condition"] == {"StringEquals": {"sts:ExternalId": {"Ref": "ExternalId"}}}
    assert statement["Principal"] == {"AWS": {"Ref": "TrustedPrincipalArn"}}
    assert template["Parameters"]["ExternalId"]["NoEcho"] is True
    (policy,) = role["Policies"]
    assert policy["PolicyDocument"] == iam.read_only_policy()
    assert len(json.dumps(policy["PolicyDocument"], separators=(",", ":"))) < 10240  # inline role policy limit
    assert template["Outputs"]["RoleArn"]["Value"] == {"Fn::GetAtt": ["AssessmentRole", "Arn"]}


@pytest.mark.slow
def test_policy_covers_every_operation_sent_by_a_full_demo_collection(demo_snapshots: Any) -> None:
    # the session's full collection of both demo accounts, as the estate's front door recorded it
    sent = demo_snapshots.operations
    assert len(sent) > 40, sent
    actions = iam.policy_actions(iam.read_only_policy())
    # sts:AssumeRole is the assessor's own permission (to enter the role), not the role's.
    needed = {iam.iam_action(s, o) for s, o in sent if (s, o) != ("sts", "AssumeRole")}
    assert needed - actions == set(), f"sent but not in the policy: {sorted(needed - actions)}"
    assert not [a for a in needed if iam.is_write_action(a)]
    assert all(guard.is_allowed(s, o) for s, o in sent)
    # and the policy asks for nothing the collectors never declared
    declared = {iam.iam_action(s, o) for s, o in all_operations(load_collectors(strict=True))}
    assert actions == declared
