"""Params validation: every bad input names the file, the field and the fix; the CLI exits 2."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from awsassess.params import AccountParams, ParamsError, dump_params, load_params_file, load_params_files
from paths import REPO
from pydantic import ValidationError

GOOD = """\
name: acme-prod
account_id: "012345678901"
environment: production
regions: [us-east-1, eu-west-1]
auth:
  profile: acme-audit
  role_arn: arn:aws:iam::012345678901:role/AssessmentReadOnly
  external_id: "x-123"
  endpoint_url: http://127.0.0.1:5000
report:
  client: Acme Trading Ltd
  prepared_by: Example Consulting
  logo: null
assumptions: {}
"""


def write(tmp_path: Path, text: str, name: str = "p.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_good_file_loads_with_defaults(tmp_path: Path) -> None:
    p = load_params_file(write(tmp_path, GOOD))
    assert p.account_id == "012345678901"
    assert p.regions == ["us-east-1", "eu-west-1"]
    assert p.auth.role_arn.endswith("role/AssessmentReadOnly")
    assert p.collect.lookback_days == 30 and p.collect.metrics_days == 14
    assert p.source == tmp_path / "p.yaml"


def test_round_trip_keeps_account_id_a_quoted_string(tmp_path: Path) -> None:
    p = load_params_file(write(tmp_path, GOOD))
    text = dump_params(p)
    assert "'012345678901'" in text or '"012345678901"' in text
    assert load_params_file(write(tmp_path, text, "again.yaml")).account_id == "012345678901"


BAD = {
    # case id: (replace this, with this, words the message must contain)
    "octal-account-id": ('account_id: "012345678901"', "account_id: 012345670123",
                         ["account_id", "quote it", 'account_id: "012345670123"']),
    "unquoted-int-account-id": ('account_id: "012345678901"', "account_id: 123456789012",
                                ["account_id", "quote it"]),
    "eleven-digits": ('account_id: "012345678901"', 'account_id: "01234567890"',
                      ["account_id", "12 digits", "11 characters"]),
    "letters-in-account-id": ('account_id: "012345678901"', 'account_id: "01234567890a"', ["account_id", "12 digits"]),
    "unknown-region": ("regions: [us-east-1, eu-west-1]", "regions: [us-east-1, eu-west-9]",
                       ["regions", "eu-west-9", "us-east-1"]),
    "empty-regions": ("regions: [us-east-1, eu-west-1]", "regions: []", ["regions", "no regions"]),
    "missing-regions": ("regions: [us-east-1, eu-west-1]\n", "", ["regions", "required"]),
    "malformed-role-arn": ("role_arn: arn:aws:iam::012345678901:role/AssessmentReadOnly",
                           "role_arn: arn:aws:iam:012345678901:AssessmentReadOnly",
                           ["auth.role_arn", "arn:aws:iam::<12-digit account>:role/<RoleName>"]),
    "role-in-other-account": ("role_arn: arn:aws:iam::012345678901:role/AssessmentReadOnly",
                              "role_arn: arn:aws:iam::999999999999:role/AssessmentReadOnly",
                              ["999999999999", "account_id"]),
    "unknown-key": ("environment: production", "environment: production\nenviroment: prod",
                    ["enviroment", "unknown key"]),
    "unknown-nested-key": ("  profile: acme-audit", "  profil: acme-audit", ["auth.profil", "unknown key"]),
    "non-http-endpoint": ("endpoint_url: http://127.0.0.1:5000", "endpoint_url: ftp://127.0.0.1:5000",
                          ["auth.endpoint_url", "http"]),
    "bad-name": ("name: acme-prod", "name: Acme_Prod", ["name", "lowercase"]),
    "external-id-without-role": ("  role_arn: arn:aws:iam::012345678901:role/AssessmentReadOnly\n", "",
                                 ["external_id", "role"]),
    "unknown-assumption": ("assumptions: {}", "assumptions: {model: {no_such_knob: 1}}",
                           ["assumptions", "no_such_knob"]),
    "missing-logo": ("logo: null", "logo: nowhere/logo.png", ["report.logo", "does not exist"]),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_input_names_file_field_and_fix(tmp_path: Path, case: str) -> None:
    old, new, words = BAD[case]
    assert old in GOOD, case
    path = write(tmp_path, GOOD.replace(old, new), f"{case}.yaml")
    with pytest.raises(ParamsError) as info:
        load_params_files([path])
    message = str(info.value)
    assert str(path) in message
    for word in words:
        assert word in message, f"{case}: {word!r} not in:\n{message}"


def test_not_yaml_and_not_a_mapping(tmp_path: Path) -> None:
    with pytest.raises(ParamsError, match="not valid YAML"):
        load_params_files([write(tmp_path, "name: [unclosed", "a.yaml")])
    with pytest.raises(ParamsError, match="expected a mapping"):
        load_params_files([write(tmp_path, "- just\n- a list\n", "b.yaml")])


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ParamsError, match="no such params file"):
        load_params_files([tmp_path / "nope.yaml"])


def test_duplicate_name_across_files(tmp_path: Path) -> None:
    a = write(tmp_path, GOOD, "a.yaml")
    b = write(tmp_path, GOOD.replace('"012345678901"', '"111111111111"').replace(
        "role_arn: arn:aws:iam::012345678901", "role_arn: arn:aws:iam::111111111111"), "b.yaml")
    with pytest.raises(ParamsError) as info:
        load_params_files([a, b])
    assert "acme-prod" in str(info.value) and "unique name" in str(info.value)
    assert str(a) in str(info.value) and str(b) in str(info.value)


def test_every_problem_of_every_file_is_reported_at_once(tmp_path: Path) -> None:
    a = write(tmp_path, GOOD.replace("regions: [us-east-1, eu-west-1]", "regions: []"), "a.yaml")
    b = write(tmp_path, GOOD.replace('"012345678901"', "12345"), "b.yaml")
    with pytest.raises(ParamsError) as info:
        load_params_files([a, b])
    assert str(a) in str(info.value) and str(b) in str(info.value)


def test_cli_exits_2_and_starts_nothing(tmp_path: Path) -> None:
    bad = write(tmp_path, GOOD.replace('account_id: "012345678901"', "account_id: 012345670123"))
    out = tmp_path / "out"
    proc = subprocess.run(
        [sys.executable, "-m", "awsassess.cli", "run", str(bad), "--out", str(out)],
        capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode == 2, proc.stderr
    assert "quote it" in proc.stderr and str(bad) in proc.stderr
    assert not out.exists()


def test_model_is_frozen(tmp_path: Path) -> None:
    p = load_params_file(write(tmp_path, GOOD))
    with pytest.raises(ValidationError, match="frozen"):
        p.name = "other"  # type: ignore[misc]
    assert isinstance(p, AccountParams)


def test_shipped_example_is_valid(tmp_path: Path) -> None:
    example = REPO / "params" / "example-account.yaml.example"
    p = load_params_file(write(tmp_path, example.read_text(), "acme-prod.yaml"))
    assert p.account_id == "123456789012" and p.auth.external_id
