"""Secrets inside strings are masked as pages arrive, and SEC-001 says where they were.

Before: passwords inside DATABASE_URL/REDIS_URL, a --db-password= argument, an ECS tag db_password and
CloudFormation parameters, outputs and template bodies were kept in snapshot/raw and the tables, while
SEC-001 claimed the values were 'never collected' and did not flag DATABASE_URL.
"""

from __future__ import annotations

import json

import pytest
from awsassess.collect.compute import parse_task_definition
from awsassess.collect.masking import mask_embedded, mask_response, needs_masking
from awsassess.findings import evaluate
from snapshots_factory import SnapshotBuilder

SECRETS = ("S3cretPw", "hunter2x", "r3dispass", "tagpass99", "cfnpass77", "outpass55", "tplpass33", "flagpass11")

TASK_DEFINITION = {"taskDefinitionArn": "arn:aws:ecs:us-east-1:1:task-definition/api:7", "family": "api", "revision": 7,
                   "containerDefinitions": [{
                       "name": "api", "image": "x",
                       "environment": [{"name": "DATABASE_URL", "value": "postgres://app:S3cretPw@db.internal:5432/app"},
                                       {"name": "REDIS_URL", "value": "redis://:r3dispass@cache:6379/0"},
                                       {"name": "LOG_LEVEL", "value": "info"}],
                       "command": ["serve", "--db-password=hunter2x", "--api-token", "flagpass11"]}],
                   "tags": [{"key": "db_password", "value": "tagpass99"}, {"key": "team", "value": "payments"}]}
STACK = {"StackName": "api", "Parameters": [{"ParameterKey": "DbPassword", "ParameterValue": "cfnpass77"},
                                            {"ParameterKey": "Environment", "ParameterValue": "production"}],
         "Outputs": [{"OutputKey": "DbConnection", "OutputValue": "mysql://admin:outpass55@db:3306/app"}],
         "TemplateBody": "Resources:\n  Db:\n    Properties:\n      MasterUserPassword: tplpass33\n      Engine: postgres\n"}


def test_every_planted_secret_is_masked_and_the_rest_stays_readable() -> None:
    page = {"taskDefinition": TASK_DEFINITION, "Stacks": [STACK]}
    assert needs_masking(page)
    text = json.dumps(mask_response(page))
    for secret in SECRETS:
        assert secret not in text, secret
    for kept in ("postgres://app:", "@db.internal:5432/app", "--db-password=", "--api-token", "payments",
                 "production", "LOG_LEVEL", "Engine: postgres"):
        assert kept in text, kept


@pytest.mark.parametrize("value", ["arn:aws:secretsmanager:us-east-1:1:secret:db", "password: ${DB_PASSWORD}",
                                   "https://example.com/docs", "app/api/50dc6c495c0c9188", "NoEcho: true",
                                   "password: !Ref DbPassword", "Password={{resolve:secretsmanager:db}}"])
def test_references_and_ordinary_text_are_left_alone(value: str) -> None:
    assert mask_embedded(value) == value


def test_sec_001_reports_every_place_and_says_truthfully_what_was_kept() -> None:
    masked = mask_response({"taskDefinition": TASK_DEFINITION})["taskDefinition"]
    row = parse_task_definition(masked)
    places = json.loads(row["plaintext_secret_names"])
    assert "DATABASE_URL (credentials in the value)" in places and "REDIS_URL (credentials in the value)" in places
    assert "command --db-password" in places and "command --api-token" in places
    b = SnapshotBuilder(environment="production")
    b.add("task_definitions", task_definition_arn=row["task_definition_arn"], family="api", revision=7,
          plaintext_secret_names=places, secret_ref_count=0)
    (finding,) = [f for f in evaluate(b.build()) if f.rule_id == "SEC-001"]
    assert set(places) <= set(finding.evidence["variable_names"])
    assert finding.severity == "high"
    assert "never collected" not in json.dumps(finding.evidence) and "masked" in finding.evidence["values"]
