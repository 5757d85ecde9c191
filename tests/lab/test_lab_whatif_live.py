"""What-if, live: a change in the explorer recomputes the analysis from the snapshot (as
``compute_analysis`` does with the merged assumptions), and the live results and the what-if diagram are
drawn into the session's scratch folder, never into the delivered account folder. Slow (each analysis takes
about 2 s; the diagram runs Graphviz), so heavy."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from awsassess.assumptions import resolve
from awsassess.lab.context import context_for
from awsassess.lab.session import LabChoice, delivered_assumptions, merge, read_choice, write_choice
from awsassess.lab.whatif import Explorer, results, whatif_diagram
from awsassess.notebook import compute_analysis
from awsassess.report.summary import money
from awsassess.snapshot import Snapshot
from lab_testing import tree_digest

pytestmark = pytest.mark.heavy

DELIVERED = {"fintech-production": {"model": {"utilisation_target": 0.8}}}


@pytest.fixture
def lab_run(make_lab_run: Callable[..., Path], tmp_path: Path) -> Path:
    return make_lab_run(tmp_path / "runs" / "demo", assumptions=DELIVERED)


def test_a_control_change_recomputes_the_analysis(lab_run: Path, tmp_path: Path) -> None:
    session = tmp_path / "lab"
    choice = LabChoice(lab_run, "fintech-production")
    write_choice(session, choice)
    before = tree_digest(lab_run)
    ex = Explorer(session, context_for(session, choice), show_results=False)
    delivered = ex.ctx.model.summary["proposed_monthly_usd"]
    launches: list[list[str]] = []
    ex.subscribe(lambda c: launches.append([cl.launch for cl in c.model.proposed.clusters]))
    assert launches == [["FARGATE"]]  # the demo keeps Fargate: cheaper

    ex.set_control("model.compute_launch", "ec2")
    whatif = read_choice(session).whatif
    assert whatif == {"model": {"compute_launch": "ec2"}}
    expected = resolve(merge(delivered_assumptions(lab_run, "fintech-production"), whatif))
    assert ex.ctx.assumptions == expected and expected.model.utilisation_target == 0.8
    _, model = compute_analysis(Snapshot.load(lab_run / "fintech-production" / "snapshot"), expected)
    assert ex.ctx.model.summary["proposed_monthly_usd"] == model.summary["proposed_monthly_usd"]
    assert ex.ctx.model.summary == model.summary
    assert ex.ctx.model.summary["proposed_monthly_usd"] != delivered
    assert launches[-1] == ["EC2"]  # listeners see the recomputed model
    assert "WHAT-IF" in ex.badge.value and "model.compute_launch cheapest \u2192 ec2" in ex.badge.value

    ex.reset()
    assert ex.ctx.model.summary["proposed_monthly_usd"] == delivered and launches[-1] == ["FARGATE"]
    assert tree_digest(lab_run) == before  # nothing of the delivered run was written


def test_results_and_the_whatif_diagram_go_to_the_scratch_folder(lab_run: Path, tmp_path: Path) -> None:
    import ipywidgets

    session = tmp_path / "lab"
    choice = LabChoice(lab_run, "fintech-staging", {"model": {"savings_plans": True}})
    write_choice(session, choice)
    before = tree_digest(lab_run)
    ex = Explorer(session, context_for(session, choice))  # with the live results: draws the diagram
    scratch = session / "demo" / "fintech-staging"
    assert ex.ctx.scratch_dir == scratch
    assert (scratch / "diagrams" / "proposed.svg").is_file()
    assert "refresh_s" in ex.timings

    parts: list[Any] = results(ex.ctx)
    headings = [p for p in parts if isinstance(p, str) and "awsassess-whatif-h" in p]
    assert [h.split(">")[1].split("<")[0] for h in headings] == [
        "Headline", "Cost by area", "Compute options", "Proposed architecture", "Migration plan"]
    assert len(parts) == 11
    headline = parts[1]
    assert isinstance(headline, str) and "awsassess-output" in headline
    assert money(ex.ctx.model.summary["proposed_monthly_usd"]) in headline  # the what-if's figure
    assert hasattr(parts[3], "to_html") and hasattr(parts[6], "to_html") and hasattr(parts[10], "to_html")
    diagram = parts[8]
    assert isinstance(diagram, ipywidgets.VBox) and "awsassess-diagram" in diagram._dom_classes
    assert "data:image/svg+xml;base64," in diagram.children[1].value

    svg = whatif_diagram(ex.ctx)
    assert svg == scratch / "diagrams" / "proposed.svg" and "<svg" in svg.read_text(encoding="utf-8")
    assert not (lab_run / "fintech-staging" / "diagrams").exists()
    assert tree_digest(lab_run) == before
