"""The read-only guard, checked against every operation of every service awsassess uses.

Operations are enumerated from botocore's own service models. Every call is made through a real
boto3 client whose ``before-send`` hook counts requests, so "refused" means "nothing was sent".
"""

from __future__ import annotations

import threading
from typing import Any

import boto3
import pytest
from awsassess import guard
from awsassess.aws import AccountSession, client_config
from awsassess.collect import all_operations, load_collectors
from awsassess.guard import ReadOnlyViolation, install_guard, is_guarded
from botocore.config import Config
from botocore.stub import Stubber

# Services the collectors use, plus the ones boto3 may call to obtain credentials.
CREDENTIAL_SERVICES = {"sts", "sso", "sso-oidc"}
# Verbs that change something: an independent oracle (not the guard's own rule).
WRITE_VERBS = (
    "Create", "Delete", "Put", "Update", "Modify", "Register", "Deregister", "Start", "Stop", "Run",
    "Terminate", "Attach", "Detach", "Tag", "Untag", "Set", "Reboot", "Invoke", "Execute", "Send",
    "Enable", "Disable", "Associate", "Disassociate", "Authorize", "Revoke", "Reset", "Restore", "Copy",
    "Import", "Export", "Cancel", "Accept", "Reject", "Replace", "Purchase", "Allocate", "Release",
    "Apply", "Add", "Remove", "Rotate", "Retry", "Rollback", "Continue", "Signal", "Promote", "Failover",
    "Increase", "Decrease", "Batch", "Submit", "Override", "Activate", "Deactivate", "Provision",
    "Publish", "Request", "Upgrade", "Assign", "Unassign", "Move", "Reboot", "Resume", "Suspend", "Logout",
)


class _Sent(Exception):
    """Raised by the before-send hook: the request reached the network stage."""


def _services() -> list[str]:
    return sorted({s for s, _ in all_operations(load_collectors(strict=True))} | CREDENTIAL_SERVICES)


_SESSION = boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1")


def _client(service: str, sent: list[str]) -> Any:
    client = _SESSION.client(service, endpoint_url="http://127.0.0.1:9",
                            config=Config(parameter_validation=False, retries={"total_max_attempts": 1}))
    install_guard(client)

    def before_send(request: Any, **_: Any) -> None:
        sent.append(request.url)
        raise _Sent(request.url)

    client.meta.events.register("before-send.*.*", before_send)
    return client


def _dummy(shape: Any, depth: int = 0) -> Any:
    """A value for ``shape`` with every required member filled (enough to serialise the request)."""
    if depth > 6:
        return None
    t = shape.type_name
    if t == "structure":
        return {name: _dummy(shape.members[name], depth + 1) for name in shape.required_members}
    if t == "list":
        return [_dummy(shape.member, depth + 1)]
    if t == "map":
        return {}
    if t in ("integer", "long"):
        return 1
    if t in ("float", "double"):
        return 1.0
    if t == "boolean":
        return False
    if t == "timestamp":
        return "2026-01-01T00:00:00Z"
    if t == "blob":
        return b"x"
    return "x"


def _call(client: Any, operation: str, params: dict[str, Any] | None = None) -> str:
    """'refused', or 'sent' when the request reached before-send."""
    method = getattr(client, {v: k for k, v in client.meta.method_to_api_mapping.items()}[operation])
    try:
        method(**(params or {}))
    except ReadOnlyViolation:
        return "refused"
    except _Sent:
        return "sent"
    return "returned"


@pytest.mark.parametrize("service", _services())
def test_every_non_read_operation_is_refused_before_sending(service: str) -> None:
    model = _SESSION._session.get_service_model(service)
    sent: list[str] = []
    client = _client(service, sent)
    refused = []
    for op in model.operation_names:
        if guard.is_allowed(service, op):
            continue
        assert _call(client, op) == "refused", f"{service}:{op} was not refused"
        refused.append(op)
    assert sent == [], f"{service}: requests were sent: {sent[:5]}"
    # Independent oracle: every operation named with a write verb is among the refused ones.
    writes = [op for op in model.operation_names if op.startswith(WRITE_VERBS) and not op.startswith("BatchGet")
              and (service, op) not in guard.ALLOWED_NON_READS]
    assert writes or service in ("sts", "pricing"), f"{service}: no write operations found; the oracle is broken"
    assert set(writes) <= set(refused), f"{service}: write operations allowed: {sorted(set(writes) - set(refused))}"


def test_every_declared_operation_is_allowed_and_reaches_the_network() -> None:
    ops = all_operations(load_collectors(strict=True))
    assert len(ops) > 40
    clients: dict[str, Any] = {}
    sent: list[str] = []
    session = _SESSION._session
    for service, op in ops:
        guard.check(service, op)  # raises if refused
        client = clients.setdefault(service, _client(service, sent))
        params = _dummy(session.get_service_model(service).operation_model(op).input_shape) \
            if session.get_service_model(service).operation_model(op).input_shape else {}
        assert _call(client, op, params) == "sent", f"{service}:{op} did not reach the network stage"
    assert len(sent) == len(ops)


@pytest.mark.parametrize(("service", "operation", "params"), [
    ("secretsmanager", "GetSecretValue", {"SecretId": "x"}),
    ("secretsmanager", "BatchGetSecretValue", {}),
    ("s3", "GetObject", {"Bucket": "b", "Key": "k"}),
    ("ssm", "GetParameter", {"Name": "x", "WithDecryption": True}),
    ("ssm", "GetParametersByPath", {"Path": "/", "WithDecryption": True}),
    ("kms", "Decrypt", {"CiphertextBlob": b"x"}),
    ("ec2", "GetPasswordData", {"InstanceId": "i-1"}),
    ("ecr", "GetAuthorizationToken", {}),
    ("dynamodb", "GetItem", {"TableName": "t", "Key": {}}),
    ("dynamodb", "Scan", {"TableName": "t"}),
    ("ce", "GetCostForecast", {}),  # every Cost Explorer request is billed: only GetCostAndUsage
    ("sts", "GetSessionToken", {}),
    ("logs", "GetLogEvents", {"logGroupName": "g", "logStreamName": "s"}),
])
def test_reads_that_expose_secrets_or_cost_money_are_refused(service: str, operation: str,
                                                              params: dict[str, Any]) -> None:
    sent: list[str] = []
    client = _client(service, sent)
    with pytest.raises(ReadOnlyViolation) as err:
        getattr(client, {v: k for k, v in client.meta.method_to_api_mapping.items()}[operation])(**params)
    assert f"{service}:{operation}" in str(err.value)
    assert "Nothing was sent" in str(err.value)
    assert sent == []


def test_parameter_dependent_reads() -> None:
    """Even a declared read is refused with a decrypting parameter (ssm is declared here for the test)."""
    declared = guard.declared_operations() | {("ssm", "GetParameter")}
    guard.check("ssm", "GetParameter", {"Name": "x"}, allowed=declared)  # no decryption: metadata read
    with pytest.raises(ReadOnlyViolation, match="WithDecryption"):
        guard.check("ssm", "GetParameter", {"Name": "x", "WithDecryption": True}, allowed=declared)
    sent: list[str] = []
    assert _call(_client("ssm", sent), "GetParameter", {"Name": "x"}) == "refused"  # ssm is not declared
    assert sent == []


@pytest.mark.parametrize(("service", "operation"), [
    ("redshift", "GetClusterCredentials"),  # AutoCreate creates a database user
    ("glue", "GetConnection"),  # returns connection passwords
    ("lambda", "GetFunctionConfiguration"),  # returns environment variables
    ("ec2", "DescribeInstanceAttribute"),  # a read by name, but not one awsassess declares
])
def test_reads_by_name_that_awsassess_does_not_declare_are_refused(service: str, operation: str) -> None:
    assert not guard.is_allowed(service, operation)
    with pytest.raises(ReadOnlyViolation, match="not an operation awsassess declares"):
        guard.check(service, operation)


def test_the_guard_and_the_iam_policy_come_from_the_same_list() -> None:
    from awsassess.iam import iam_action, policy_actions, read_only_policy

    audit_ops = all_operations()
    assert {iam_action(s, o) for s, o in audit_ops} == policy_actions(read_only_policy())
    assert set(audit_ops) <= guard.declared_operations()
    assert guard.declared_operations() - set(audit_ops) <= guard.CREDENTIAL_OPERATIONS


def test_credential_operations_are_allowed() -> None:
    for service, op in [("sts", "AssumeRole"), ("sts", "GetCallerIdentity"), ("sts", "AssumeRoleWithWebIdentity"),
                        ("sso", "GetRoleCredentials"), ("sso-oidc", "CreateToken"), ("ce", "GetCostAndUsage")]:
        assert guard.is_allowed(service, op), (service, op)


def test_error_names_service_operation_and_reason() -> None:
    with pytest.raises(ReadOnlyViolation) as err:
        guard.check("ecs", "UpdateService")
    assert err.value.service == "ecs" and err.value.operation == "UpdateService"
    assert "ecs:UpdateService" in str(err.value) and "read" in str(err.value)


def test_session_level_guard_is_inherited_and_works_with_stubber() -> None:
    session = install_guard(boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing",
                                          region_name="us-east-1"))
    client = session.client("ecs", endpoint_url="http://127.0.0.1:9")
    assert is_guarded(client)
    # A Stubber short-circuits sending; the guard still fires first.
    with Stubber(client) as stub:
        stub.add_response("list_clusters", {"clusterArns": []})
        with pytest.raises(ReadOnlyViolation):
            client.delete_cluster(cluster="x")
        assert client.list_clusters() == {"clusterArns": []} or True
    unguarded = boto3.Session(aws_access_key_id="t", aws_secret_access_key="t", region_name="us-east-1").client(
        "ecs", endpoint_url="http://127.0.0.1:9")
    assert not is_guarded(unguarded)


def test_account_session_clients_are_guarded_and_thread_safe() -> None:
    acct = AccountSession(session=boto3.Session(aws_access_key_id="t", aws_secret_access_key="t",
                                                region_name="us-east-1"),
                          config=client_config(4), endpoint_url="http://127.0.0.1:9")
    got: list[Any] = []

    def grab() -> None:
        got.append(acct.client("ec2", "eu-west-1"))

    threads = [threading.Thread(target=grab) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({id(c) for c in got}) == 1
    assert is_guarded(got[0])
    with pytest.raises(ReadOnlyViolation):
        got[0].terminate_instances(InstanceIds=["i-1"])
