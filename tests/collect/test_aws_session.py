"""awsassess.aws: credentials (chain, profile, SSO profile, assume-role + external id), endpoints, config."""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import botocore.credentials
import pytest
from awsassess import __version__, guard
from awsassess.aws import AccountMismatchError, AwsSessionError, role_session_name, session_for
from awsassess.params import AccountParams


def _params(**auth: Any) -> AccountParams:
    return AccountParams(name="fintech-production", account_id="222222222222", regions=["eu-west-1", "us-east-1"],
                         auth=auth, collect={"concurrency": 24})


@pytest.fixture
def guard_spy(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str, dict[str, Any]]]:
    """Every call the guard inspected: (service, operation, params)."""
    seen: list[tuple[str, str, dict[str, Any]]] = []
    real = guard.check

    def spy(service: str, operation: str, params: dict[str, Any] | None = None) -> None:
        seen.append((service, operation, dict(params or {})))
        real(service, operation, params)

    monkeypatch.setattr(guard, "check", spy)
    return seen


@pytest.fixture
def aws_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An isolated ~/.aws (config, credentials, SSO cache); no ambient credentials."""
    home = tmp_path / "home"
    (home / ".aws" / "sso" / "cache").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(home / ".aws" / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(home / ".aws" / "credentials"))
    # botocore computes the SSO token cache dir from ~ once, at import
    monkeypatch.setattr(botocore.credentials.SSOProvider, "_SSO_TOKEN_CACHE_DIR",
                        str(home / ".aws" / "sso" / "cache"))
    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(var, raising=False)
    return home


def test_clients_use_endpoint_retries_timeouts_pool_and_user_agent() -> None:
    acct = session_for(_params(endpoint_url="http://127.0.0.1:9"))
    for service, region in [("ec2", "eu-west-1"), ("sts", "eu-west-1"), ("cloudfront", "global"), ("ce", "global")]:
        client = acct.client(service, region)
        assert client.meta.endpoint_url == "http://127.0.0.1:9"
        cfg = client.meta.config
        if service == "sts":  # start-up calls only: a dead endpoint fails within ~35 s, not 10 x 60 s
            assert cfg.retries["total_max_attempts"] == 2 and cfg.connect_timeout == 5 and cfg.read_timeout == 15
        else:
            assert cfg.retries["mode"] == "adaptive" and cfg.retries["total_max_attempts"] == 11  # 10 retries
            assert cfg.connect_timeout == 10 and cfg.read_timeout == 60
        assert cfg.max_pool_connections == 24 or service == "sts"
        assert f"awsassess/{__version__}" in cfg.user_agent_extra
        assert guard.is_guarded(client)
    assert acct.client("cloudfront", "global").meta.region_name == "us-east-1"
    assert acct.client("ec2").meta.region_name == "eu-west-1"  # home region = first params region
    assert acct.client("ec2", "eu-west-1") is acct.client("ec2", "eu-west-1")
    assert acct.client("ec2", "us-east-1") is not acct.client("ec2", "eu-west-1")


def test_role_session_name_is_valid_for_sts() -> None:
    assert role_session_name("acme-prod") == "awsassess-acme-prod"
    long = role_session_name("x" * 100)
    assert len(long) == 64 and long.startswith("awsassess-")


def test_assume_role_with_external_id_over_http(demo_estate: Any, guard_spy: list[Any]) -> None:
    params = _params(role_arn=demo_estate.role_arn("222222222222"), external_id=demo_estate.external_id,
                     endpoint_url=demo_estate.endpoint_url)
    acct = session_for(params)
    ident = acct.check_account("222222222222")
    assert ident["Account"] == "222222222222"
    assert "awsassess-fintech-production" in ident["Arn"]
    (assume,) = [p for s, o, p in guard_spy if (s, o) == ("sts", "AssumeRole")]
    assert assume["ExternalId"] == demo_estate.external_id
    assert assume["RoleArn"] == demo_estate.role_arn("222222222222")
    assert assume["RoleSessionName"] == "awsassess-fintech-production"
    # the assumed credentials are the ones every client uses
    creds = acct.session.get_credentials().get_frozen_credentials()
    assert creds.token and creds.access_key != "testing"
    vpcs = acct.client("ec2", "us-east-1").describe_vpcs()["Vpcs"]
    assert {v["OwnerId"] for v in vpcs} == {"222222222222"}


def test_assume_role_refused_is_a_clear_error(fresh_faults: Any) -> None:
    fresh_faults.set_faults([{"service": "sts", "operation": "AssumeRole", "code": "AccessDenied",
                              "message": "not authorized to perform sts:AssumeRole"}])
    params = _params(role_arn=fresh_faults.role_arn("222222222222"), external_id="wrong",
                     endpoint_url=fresh_faults.endpoint_url)
    with pytest.raises(AwsSessionError, match="could not assume auth.role_arn arn:aws:iam::222222222222:role/"):
        session_for(params)


def test_default_chain_reaching_another_account_is_a_clear_error(demo_estate: Any) -> None:
    acct = session_for(_params(endpoint_url=demo_estate.endpoint_url))  # dummy keys -> moto's default account
    with pytest.raises(AccountMismatchError, match="account_id is 222222222222 but the credentials reach account"):
        acct.check_account("222222222222")


def test_named_profile_credentials_are_used(aws_home: Path) -> None:
    (aws_home / ".aws" / "credentials").write_text(
        "[audit]\naws_access_key_id = AKIDPROFILETEST00001\naws_secret_access_key = s3cr3t\n")
    (aws_home / ".aws" / "config").write_text("[profile audit]\nregion = eu-west-1\n")
    acct = session_for(_params(profile="audit", endpoint_url="http://127.0.0.1:9"))
    assert acct.session.get_credentials().access_key == "AKIDPROFILETEST00001"
    assert guard.is_guarded(acct.client("ecs", "eu-west-1"))


def test_unknown_profile_names_the_field(aws_home: Path) -> None:
    (aws_home / ".aws" / "config").write_text("[profile other]\nregion = eu-west-1\n")
    with pytest.raises(AwsSessionError, match="auth.profile 'missing'"):
        session_for(_params(profile="missing"))


class _SsoPortal(BaseHTTPRequestHandler):
    requests: list[tuple[str, str | None]] = []

    def do_GET(self) -> None:  # noqa: N802 - http.server API
        self.requests.append((self.path, self.headers.get("x-amz-sso_bearer_token")))
        body = json.dumps({"roleCredentials": {"accessKeyId": "ASIASSOPORTALTEST001", "secretAccessKey": "s",
                                               "sessionToken": "t", "expiration": 4102444800000}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def sso_portal() -> Iterator[str]:
    _SsoPortal.requests = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _SsoPortal)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def test_sso_profile_goes_through_the_sso_portal_and_the_guard(aws_home: Path, sso_portal: str,
                                                                monkeypatch: pytest.MonkeyPatch,
                                                                guard_spy: list[Any]) -> None:
    start = "https://example.awsapps.com/start"
    (aws_home / ".aws" / "config").write_text(
        f"[profile audit-sso]\nsso_start_url = {start}\nsso_region = us-east-1\n"
        "sso_account_id = 222222222222\nsso_role_name = ReadOnly\nregion = us-east-1\n")
    token_file = aws_home / ".aws" / "sso" / "cache" / (hashlib.sha1(start.encode()).hexdigest() + ".json")
    token_file.write_text(json.dumps({"startUrl": start, "region": "us-east-1", "accessToken": "bearer-xyz",
                                      "expiresAt": "2099-01-01T00:00:00Z"}))
    monkeypatch.setenv("AWS_ENDPOINT_URL_SSO", sso_portal)  # the SSO portal; AWS services stay unreachable
    acct = session_for(_params(profile="audit-sso", endpoint_url="http://127.0.0.1:9"))
    creds = acct.session.get_credentials().get_frozen_credentials()
    assert creds.access_key == "ASIASSOPORTALTEST001"
    assert _SsoPortal.requests == [
        ("/federation/credentials?role_name=ReadOnly&account_id=222222222222", "bearer-xyz")]
    assert ("sso", "GetRoleCredentials") in [(s, o) for s, o, _ in guard_spy]  # boto3's own SSO client is guarded


@pytest.mark.parametrize("value", [
    1700000000, 1700000000.25, "1700000000", "2026-11-26T10:15:00Z", "2026-11-26T10:15:00.123456Z",
    "2026-11-26T10:15:00+02:00", "2026-11-26T10:15:00.5-05:30", "2026-11-26T10:15:00",
    "Thu, 26 Nov 2026 10:15:00 GMT",
])
def test_fast_timestamp_parser_gives_botocores_instant_in_utc(value: object) -> None:
    from datetime import UTC

    from awsassess.aws import parse_timestamp_utc
    from botocore.utils import parse_timestamp

    fast = parse_timestamp_utc(value)
    assert fast.tzinfo is UTC
    reference = parse_timestamp(value)
    if reference.tzinfo is None:  # a string without a zone: AWS means UTC
        reference = reference.replace(tzinfo=UTC)
    assert fast == reference


def test_sessions_parse_timestamps_to_utc_and_share_one_model_loader() -> None:
    from datetime import UTC, datetime

    from awsassess.aws import tune_session

    a, b = tune_session(botocore.session.Session()), tune_session(botocore.session.Session())
    assert a.get_component("data_loader") is b.get_component("data_loader")
    client = a.create_client("codepipeline", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y")
    shape = client.meta.service_model.operation_model("ListPipelineExecutions").output_shape
    parser = a.get_component("response_parser_factory").create_parser("json")
    body = json.dumps({"pipelineExecutionSummaries": [{"startTime": 1764152100.5, "lastUpdateTime": "2026-11-26T10:20:00Z"}]})
    parsed = parser.parse({"body": body.encode(), "headers": {}, "status_code": 200}, shape)
    summary = parsed["pipelineExecutionSummaries"][0]
    assert summary["startTime"] == datetime(2025, 11, 26, 10, 15, 0, 500000, tzinfo=UTC)
    assert summary["startTime"].tzinfo is UTC and summary["lastUpdateTime"].tzinfo is UTC
    assert summary["lastUpdateTime"] == datetime(2026, 11, 26, 10, 20, tzinfo=UTC)
