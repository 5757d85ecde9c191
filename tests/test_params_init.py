"""``awsassess params init`` against the simulated estate's AWS Organization (over HTTP)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
import yaml
from awsassess.demo.estate import (
    ACCOUNTS,
    AUDIT_EXTERNAL_ID,
    AUDIT_ROLE_NAME,
    ORGANIZATION_MANAGEMENT_ACCOUNT,
)
from awsassess.params import load_params_files
from awsassess.params_init import ParamsInitError, from_organization, from_profile, guess_environment, slugify


def test_slugify_and_environment_guess() -> None:
    assert slugify("Fintech Production (EU)") == "fintech-production-eu"
    assert slugify("  --ÄÖ--  ", fallback="account-1") == "account-1"
    assert len(slugify("x" * 100)) == 64 and slugify("a" * 63 + "-b") == "a" * 63
    assert [guess_environment(n) for n in ("fintech-production", "fintech-staging", "acme-dev", "logs", "misc")] == [
        "production", "staging", "development", "shared", "unknown"]


@pytest.fixture
def aws_profiles(demo_estate: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An AWS credentials file with one profile per estate account (management + members), holding
    credentials assumed over STS from the estate, the way an SSO/assume-role profile would."""
    sts = boto3.client("sts", endpoint_url=demo_estate.endpoint_url, region_name="us-east-1")
    lines = []
    for name, acct in [("org-management", ORGANIZATION_MANAGEMENT_ACCOUNT),
                       *[(a.name, a.account_id) for a in ACCOUNTS]]:
        creds = sts.assume_role(RoleArn=f"arn:aws:iam::{acct}:role/{AUDIT_ROLE_NAME}", RoleSessionName="params-init",
                                ExternalId=AUDIT_EXTERNAL_ID)["Credentials"]
        lines += [f"[{name}]", f"aws_access_key_id = {creds['AccessKeyId']}",
                  f"aws_secret_access_key = {creds['SecretAccessKey']}",
                  f"aws_session_token = {creds['SessionToken']}", "region = us-east-1", ""]
    path = tmp_path / "credentials"
    path.write_text("\n".join(lines))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(path))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config-none"))
    yield path


def test_from_organization_writes_loadable_files(demo_estate: Any, aws_profiles: Path, tmp_path: Path) -> None:
    out = tmp_path / "params"
    written = from_organization(management_profile="org-management", endpoint_url=demo_estate.endpoint_url,
                                regions=["us-east-1", "eu-west-1"], out_dir=out, external_id=AUDIT_EXTERNAL_ID)
    loaded = {p.account_id: p for p in load_params_files(written)}
    # every estate account is an ACTIVE member; the management account is listed too
    assert {a.account_id for a in ACCOUNTS} <= set(loaded)
    assert set(loaded) <= {a.account_id for a in ACCOUNTS} | {ORGANIZATION_MANAGEMENT_ACCOUNT}
    for acct in ACCOUNTS:
        p = loaded[acct.account_id]
        assert p.name == acct.name and p.environment == acct.environment
        assert p.auth.role_arn == f"arn:aws:iam::{acct.account_id}:role/AssessmentReadOnly"
        assert (p.auth.profile, p.auth.external_id, p.auth.endpoint_url) == (
            "org-management", AUDIT_EXTERNAL_ID, demo_estate.endpoint_url)
        assert p.regions == ["us-east-1", "eu-west-1"]
        text = (out / f"{acct.name}.yaml").read_text()
        assert f'account_id: "{acct.account_id}"' in text  # quoted
        assert yaml.safe_load(text)["account_id"] == acct.account_id
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{p.name}.yaml" for p in loaded.values())


def test_from_organization_refuses_to_overwrite(demo_estate: Any, aws_profiles: Path, tmp_path: Path) -> None:
    out = tmp_path / "params"
    kwargs = {"management_profile": "org-management", "endpoint_url": demo_estate.endpoint_url, "out_dir": out}
    first = from_organization(**kwargs)
    staging = out / "fintech-staging.yaml"
    staging.write_text("# edited by hand\n" + staging.read_text())
    edited = staging.read_text()
    (out / "fintech-production.yaml").unlink()
    with pytest.raises(ParamsInitError, match="already exist.*--force"):
        from_organization(**kwargs)
    # nothing was written: the deleted file is still missing, the edited one untouched, no temp files
    assert not (out / "fintech-production.yaml").exists() and staging.read_text() == edited
    assert not [p for p in out.iterdir() if p.name.startswith(".")]
    again = from_organization(**kwargs, force=True)
    assert sorted(again) == sorted(first) and "edited by hand" not in staging.read_text()


def test_from_profile(demo_estate: Any, aws_profiles: Path, tmp_path: Path) -> None:
    path = from_profile("fintech-production", regions=["us-east-1"], out_dir=tmp_path,
                        endpoint_url=demo_estate.endpoint_url)
    [params] = load_params_files([path])
    assert (params.account_id, params.name, params.environment) == ("222222222222", "fintech-production", "production")
    assert params.auth.profile == "fintech-production" and params.auth.role_arn is None
    with pytest.raises(ParamsInitError, match="already exist"):
        from_profile("fintech-production", out_dir=tmp_path, endpoint_url=demo_estate.endpoint_url)


def test_clear_errors(demo_estate: Any, aws_profiles: Path, tmp_path: Path) -> None:
    # an unknown profile, then a bad region: both refused before anything is written
    with pytest.raises(ParamsInitError, match="Fix:"):
        from_organization(management_profile="no-such-profile", endpoint_url=demo_estate.endpoint_url,
                          out_dir=tmp_path)
    with pytest.raises(ParamsInitError, match="Fix:"):
        from_organization(management_profile="org-management", endpoint_url=demo_estate.endpoint_url,
                          regions=["mars-north-1"], out_dir=tmp_path)
    assert list(tmp_path.glob("*.yaml")) == []


def test_written_text_keeps_leading_zero_account_ids(tmp_path: Path) -> None:
    from awsassess.params_init import account_params, params_yaml

    params = account_params(name="acme-prod", account_id="012345670123", regions=["eu-west-1"], profile="mgmt",
                            role_arn="arn:aws:iam::012345670123:role/AssessmentReadOnly")
    path = tmp_path / "acme-prod.yaml"
    path.write_text(params_yaml(params, "header line"))
    [loaded] = load_params_files([path])  # unquoted, YAML would read 012345670123 as an octal number
    assert loaded.account_id == "012345670123" and loaded.regions == ["eu-west-1"]
    assert path.read_text().startswith("# header line\n")
