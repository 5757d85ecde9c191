"""The documented command line, as users run it (subprocesses, real estate over HTTP for collect)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from awsassess.demo.estate import STAGING
from awsassess.demo_run import write_demo_params


def cli(*args: str, timeout: int = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "awsassess.cli", *args], capture_output=True, text=True,
                          timeout=timeout)


def test_help_lists_every_documented_command() -> None:
    out = cli("--help")
    assert out.returncode == 0
    for command in ("demo", "run", "collect", "analyze", "report", "params", "iam-policy", "prices", "assumptions"):
        assert command in out.stdout


def test_iam_policy_is_read_only_json_and_cloudformation_has_external_id() -> None:
    policy = json.loads(cli("iam-policy").stdout)
    actions = [a for st in policy["Statement"] for a in (st["Action"] if isinstance(st["Action"], list) else [st["Action"]])]
    assert actions and all(a.split(":", 1)[1].startswith(("Describe", "List", "Get", "BatchGet", "Search", "Lookup"))
                           for a in actions)
    cfn = cli("iam-policy", "--cloudformation").stdout
    assert "sts:ExternalId" in cfn and "AWS::IAM::Role" in cfn


def test_prices_show_and_assumptions() -> None:
    prices = cli("prices", "show", "--service", "AmazonEC2", "--region", "us-east-1")
    assert prices.returncode == 0 and "nat_gateway_hour" in prices.stdout and "0.045" in prices.stdout
    listed = cli("assumptions")
    assert listed.returncode == 0 and "findings." in listed.stdout and "model.utilisation_target" in listed.stdout


def test_analyze_bad_snapshot_exits_2(tmp_path: Path) -> None:
    out = cli("analyze", str(tmp_path / "nope"), "--out", str(tmp_path / "o"))
    assert out.returncode == 2 and "manifest.json" in out.stderr


@pytest.mark.slow
def test_collect_then_analyze_offline(demo_estate, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    params = [p for p in write_demo_params(demo_estate.endpoint_url, tmp_path / "params") if STAGING.name in p.name]
    assert cli("params", "check", str(params[0])).returncode == 0
    collected = cli("collect", str(params[0]), "--out", str(tmp_path / "run"))
    assert collected.returncode == 0, collected.stderr[-3000:]
    snapshot = tmp_path / "run" / STAGING.name / "snapshot"
    assert (snapshot / "manifest.json").is_file()
    assert not (tmp_path / "run" / STAGING.name / "findings.json").exists()  # collect writes the snapshot only
    # analysis must not need AWS: no credentials, every endpoint pointing at a closed port
    analyzed = subprocess.run([sys.executable, "-m", "awsassess.cli", "analyze", str(snapshot), "--out",
                               str(tmp_path / "offline")], capture_output=True, text=True, timeout=300,
                              env={"PATH": "/usr/bin:/bin", "AWS_ENDPOINT_URL": "http://127.0.0.1:9",
                                   "HOME": str(tmp_path)})
    assert analyzed.returncode == 0, analyzed.stderr[-3000:]
    for name in ("findings.json", "findings.csv", "costs.csv", "model.json", "diagrams/current.png",
                 "diagrams/proposed.svg"):
        assert (tmp_path / "offline" / name).is_file(), name


def test_untrusted_text_is_never_markup_and_bad_input_exits_2(tmp_path: Path) -> None:
    """'[/x]' in YAML, a non-UTF-8 params file and --out naming a file: a message and exit 2, never a traceback."""
    import subprocess
    import sys

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "awsassess.cli", *args], capture_output=True, text=True,
                              cwd=tmp_path, timeout=120)

    (tmp_path / "markup.yaml").write_text('name: acme\naccount_id: "123456789012"\nenvironment: [/x] prod\n'
                                          "regions: [us-east-1\n")
    r = cli("params", "check", "markup.yaml")
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "[/x] prod" in r.stderr and "^" in r.stderr  # the text and the YAML caret survive
    (tmp_path / "empty.yaml").write_text('name: acme\naccount_id: "123456789012"\nenvironment: prod\nregions: []\n')
    r = cli("params", "check", "empty.yaml")
    assert r.returncode == 2 and "regions: [us-east-1]" in r.stderr  # the suggested fix is not eaten as markup
    (tmp_path / "latin1.yaml").write_bytes(b"name: acme\xff\n")
    r = cli("params", "check", "latin1.yaml")
    assert r.returncode == 2 and "not UTF-8" in r.stderr and "Traceback" not in r.stderr
    (tmp_path / "afile").write_text("")
    (tmp_path / "ok.yaml").write_text('name: acme\naccount_id: "123456789012"\nenvironment: prod\nregions: [us-east-1]\n')
    r = cli("run", "ok.yaml", "--out", "afile")
    assert r.returncode == 2 and "is a file" in r.stderr


def test_a_step_error_with_markup_does_not_crash_the_progress_display() -> None:
    import io

    from awsassess.batch.progress import BatchProgress, run_table
    from rich.console import Console

    console = Console(file=io.StringIO(), force_terminal=True, width=120)
    record = {"step": "analyze", "status": "failed", "error": {"type": "RuntimeError", "message": "bad [/x] tag [red]"}}
    with BatchProgress([("acme", 3)], console=console) as bars:
        bars.failed("acme", record)
    assert "bad [/x] tag [red]" in console.file.getvalue()
    plain = Console(file=io.StringIO(), width=200)
    BatchProgress([("acme", 3)], console=plain).account("acme", [record])
    assert "acme analyze failed" in plain.file.getvalue() and "[/x]" in plain.file.getvalue()
    plain.print(run_table({"accounts": [{"name": "acme", "status": "failed", "steps": [record]}]}))
    assert "bad [/x] tag" in plain.file.getvalue()
