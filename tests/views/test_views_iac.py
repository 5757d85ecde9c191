"""The "Infrastructure as code" views (notebook 80, the report) on the demo, on an account with nothing to
migrate, and with the kit's check results missing, written or damaged."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from awsassess.assumptions import resolve
from awsassess.notebook import Context
from awsassess.views import Note
from awsassess.views import iac as view
from demo_snapshots import demo_snapshot
from snapshots_factory import SnapshotBuilder

VIEWS = (view.overview, view.resources, view.imports, view.client_inputs, view.apply_order, view.workflows,
         view.manual_work, view.checks)


def _html(shown: object) -> str:
    if isinstance(shown, Note):
        return shown._repr_markdown_()
    return shown._repr_html_() if hasattr(shown, "_repr_html_") else shown.to_html()  # type: ignore[attr-defined]


def _ctx(snapshot: object, tmp_path: Path) -> Context:
    return Context(snapshot=snapshot, account_dir=tmp_path, assumptions=resolve({}))  # type: ignore[arg-type]


def test_the_demo_section_states_what_the_kit_holds(tmp_path: Path) -> None:
    ctx = _ctx(demo_snapshot("production"), tmp_path)
    shown = {f.__name__: _html(f(ctx)) for f in VIEWS}
    assert "imported, never recreated" in shown["overview"] and 'href="iac/README.md"' in shown["overview"]
    assert "fintech-production-postgres" in shown["imports"] and "RDS postgres instance" in shown["imports"]
    assert "certificate_arn" in shown["client_inputs"] and "github_repositories" in shown["client_inputs"]
    assert "Network foundation" in shown["apply_order"] and "deploy-web.yml" in shown["workflows"]
    assert "not been checked yet" in shown["checks"]  # nothing written in tmp_path


def test_an_account_with_nothing_to_migrate_says_so(tmp_path: Path) -> None:
    b = SnapshotBuilder(environment="production", name="quiet")
    b.vpc("vpc-0only", name="only")
    ctx = _ctx(b.build(), tmp_path)
    overview = view.overview(ctx)
    assert isinstance(overview, Note) and "Nothing to migrate" in _html(overview)
    for f in VIEWS[1:]:
        _html(f(ctx))  # every view renders


@pytest.mark.parametrize(("content", "shown"), [
    (json.dumps([{"check": "terraform: references", "status": "failed", "detail": "var.x is not declared"},
                 {"check": "terraform: parse", "status": "ok", "detail": ""}]), "var.x is not declared"),
    ("{not json", "cannot be read"),
    (json.dumps({"check": "not a list"}), "cannot be read"),
])
def test_the_checks_of_the_written_kit_failures_first_or_damage_named(tmp_path: Path, content: str,
                                                                      shown: str) -> None:
    (tmp_path / "iac").mkdir()
    (tmp_path / "iac" / "checks.json").write_text(content)
    html = _html(view.checks(_ctx(demo_snapshot("staging"), tmp_path)))
    assert shown in html
    if "failed" in content:
        assert html.index("failed") < html.index(">ok<")
