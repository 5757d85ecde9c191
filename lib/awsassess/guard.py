"""The read-only guard: no awsassess client can send a request that is not a read.

A botocore ``provide-client-params`` hook (the first event of every API call, before parameter
validation, serialisation, signing and sending) checks the operation name and raises
:class:`ReadOnlyViolation` for anything that is not a read. Nothing reaches the network.

Allowed are exactly the operations awsassess declares (:func:`declared_operations`: every collector's
``OPERATIONS``, the framework's, the Price List look-ups, ``params init``'s, and the credential calls
``sts:AssumeRole``, ``sts:GetCallerIdentity``, ``sso-oidc:CreateToken`` ...); the generated IAM policy
comes from the same list. A declared operation must also be a read by name (``Describe``, ``List``,
``Get``, ``BatchGet``, ``Search`` or ``Lookup`` followed by a capital letter).
Some reads are denied anyway because they expose secrets or data (``secretsmanager:GetSecretValue``,
``s3:GetObject``, ``ssm:GetParameter`` with decryption, ``ec2:GetPasswordData`` ...) or cost money
beyond the one documented Cost Explorer call (``ce:GetCostAndUsage``, $0.01 per request).

Install it on a boto3/botocore session (every client created afterwards inherits it) or on one
client::

    install_guard(boto3_session)      # or install_guard(client)
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

READ_PREFIX = re.compile(r"^(Describe|List|Get|BatchGet|Search|Lookup)[A-Z0-9]")

# Not reads by name, but needed to obtain or identify credentials. (service, operation).
ALLOWED_NON_READS: frozenset[tuple[str, str]] = frozenset({
    ("sts", "AssumeRole"),
    ("sts", "AssumeRoleWithWebIdentity"),
    ("sts", "AssumeRoleWithSAML"),
    ("sso-oidc", "CreateToken"),  # refreshes an SSO session token (SSO profiles)
})

# Reads by name that expose secrets or customer data, or issue credentials. (service, operation).
DENIED_READS: frozenset[tuple[str, str]] = frozenset({
    ("secretsmanager", "GetSecretValue"),
    ("secretsmanager", "BatchGetSecretValue"),
    ("secretsmanager", "GetRandomPassword"),
    ("s3", "GetObject"),
    ("s3", "GetObjectTorrent"),
    ("kms", "GetParametersForImport"),
    ("ec2", "GetPasswordData"),
    ("ec2", "GetConsoleOutput"),
    ("ec2", "GetConsoleScreenshot"),
    ("ec2", "GetLaunchTemplateData"),  # contains user data
    ("ecr", "GetAuthorizationToken"),
    ("ecr", "GetDownloadUrlForLayer"),
    ("sts", "GetFederationToken"),
    ("sts", "GetSessionToken"),
    ("dynamodb", "GetItem"),
    ("dynamodb", "BatchGetItem"),
    ("logs", "GetLogEvents"),
    ("logs", "GetLogRecord"),
    ("logs", "GetQueryResults"),
    ("kinesis", "GetRecords"),
    ("kinesis", "GetShardIterator"),
    ("lightsail", "GetInstanceAccessDetails"),
    ("lightsail", "GetRelationalDatabaseMasterUserPassword"),
    ("cognito-identity", "GetCredentialsForIdentity"),
    ("cognito-identity", "GetOpenIdToken"),
    ("codecommit", "GetBlob"),
    ("codecommit", "GetFile"),
    ("lambda", "GetFunction"),  # returns a pre-signed URL to the code package
    ("apigateway", "GetExport"),
})

# Operations that are refused when a parameter is set to a truthy value (decrypting reads).
DENIED_WITH_PARAM: dict[tuple[str, str], str] = {
    ("ssm", "GetParameter"): "WithDecryption",
    ("ssm", "GetParameters"): "WithDecryption",
    ("ssm", "GetParametersByPath"): "WithDecryption",
    ("ssm", "GetParameterHistory"): "WithDecryption",
    ("apigateway", "GetApiKey"): "includeValue",
    ("apigateway", "GetApiKeys"): "includeValues",
}

# Services where only the listed reads are allowed (every Cost Explorer request costs $0.01).
ONLY_READS: dict[str, frozenset[str]] = {
    "ce": frozenset({"GetCostAndUsage"}),
}


class ReadOnlyViolation(RuntimeError):
    """An operation that is not a read was attempted; nothing was sent."""

    def __init__(self, service: str, operation: str, why: str) -> None:
        self.service = service
        self.operation = operation
        self.why = why
        super().__init__(
            f"awsassess is read-only: refused {service}:{operation} ({why}). Nothing was sent to AWS."
        )

    def __reduce__(self) -> tuple[Any, ...]:  # crosses from collector worker processes intact
        return type(self), (self.service, self.operation, self.why)


# Beyond the collectors: credentials, the Price List look-ups of missing prices, `params init`.
CREDENTIAL_OPERATIONS: frozenset[tuple[str, str]] = frozenset({
    *ALLOWED_NON_READS, ("sts", "GetCallerIdentity"), ("sso", "GetRoleCredentials"),
    ("organizations", "ListAccounts"),  # params init --from-organization (management account, not the audit role)
})


@cache
def declared_operations() -> frozenset[tuple[str, str]]:
    """Every operation awsassess may send: the collectors' declared OPERATIONS and the framework's
    (:func:`awsassess.collect.all_operations`, which the IAM policy is generated from), plus the
    credential operations. Nothing else passes the guard, whatever its name: a read by name such as
    ``redshift:GetClusterCredentials`` (AutoCreate) or ``glue:GetConnection`` (passwords) is refused."""
    from awsassess.collect import all_operations

    return frozenset(all_operations()) | CREDENTIAL_OPERATIONS


def check(service: str, operation: str, params: dict[str, Any] | None = None,
          allowed: frozenset[tuple[str, str]] | None = None) -> None:
    """Raise :class:`ReadOnlyViolation` unless ``service:operation`` (with ``params``) is an allowed read.

    ``service`` is the botocore service name (``ec2``, ``elbv2``, ``sso-oidc`` ...), ``operation`` the
    API operation name (``DescribeVpcs``). Allowed: the declared operations (``allowed``, default
    :func:`declared_operations`) that are also reads by name and not secret-exposing.
    """
    key = (service, operation)
    if key in ALLOWED_NON_READS:
        return
    if key not in (declared_operations() if allowed is None else allowed):
        raise ReadOnlyViolation(service, operation, "not an operation awsassess declares (collectors' OPERATIONS, "
                                "STS, Pricing); the IAM policy is generated from the same list")
    if not READ_PREFIX.match(operation):
        raise ReadOnlyViolation(service, operation, "not a Describe/List/Get/BatchGet/Search/Lookup read")
    if key in DENIED_READS:
        raise ReadOnlyViolation(service, operation, "this read exposes secrets, data or credentials")
    only = ONLY_READS.get(service)
    if only is not None and operation not in only:
        raise ReadOnlyViolation(
            service, operation, f"only {', '.join(sorted(only))} is allowed for {service} (each request is billed)"
        )
    param = DENIED_WITH_PARAM.get(key)
    if param and params and params.get(param):
        raise ReadOnlyViolation(service, operation, f"{param}=true would return decrypted secrets")


def is_allowed(service: str, operation: str, params: dict[str, Any] | None = None) -> bool:
    try:
        check(service, operation, params)
    except ReadOnlyViolation:
        return False
    return True


def _hook(params: dict[str, Any], model: Any, **_: Any) -> None:
    check(model.service_model.service_name, model.name, params)


HOOK_EVENT = "provide-client-params.*.*"
_UNIQUE_ID = "awsassess-read-only-guard"


def install_guard(target: Any) -> Any:
    """Install the guard on a boto3 Session, a botocore Session or a client; returns ``target``.

    Idempotent. Clients created from a guarded session inherit the guard.
    """
    if hasattr(target, "meta") and hasattr(target.meta, "events"):  # a client
        events = target.meta.events
    elif hasattr(target, "_session"):  # boto3.Session
        events = target._session.get_component("event_emitter")
    elif hasattr(target, "get_component"):  # botocore Session
        events = target.get_component("event_emitter")
    else:
        raise TypeError(f"install_guard: expected a boto3/botocore session or a client, got {type(target)!r}")
    events.register(HOOK_EVENT, _hook, unique_id=_UNIQUE_ID)
    return target


def is_guarded(client: Any) -> bool:
    """True when ``client`` has the guard installed (checked by inspecting its handlers)."""
    try:
        client.meta.events.emit(
            "provide-client-params.awsassess-probe.DeleteEverything",
            params={},
            model=_ProbeModel(),
        )
    except ReadOnlyViolation:
        return True
    return False


class _ProbeService:
    service_name = "awsassess-probe"


class _ProbeModel:
    name = "DeleteEverything"
    service_model = _ProbeService()
