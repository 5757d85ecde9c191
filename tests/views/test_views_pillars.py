"""The "Reliability and security" section's views on the demo's findings and on generated ones."""

from __future__ import annotations

from awsassess.findings import Finding, evaluate
from awsassess.findings.base import PILLARS, REGISTRY
from awsassess.views import Note
from awsassess.views import pillars as view
from demo_snapshots import demo_snapshot


def _finding(rule_id: str, severity: str, title: str = "t", resources: tuple[str, ...] = ("r1",)) -> Finding:
    spec = REGISTRY[rule_id]
    return Finding(rule_id, spec.domain, severity, title, "1", "us-east-1", list(resources), {}, "fix it")


def test_every_rule_has_a_pillar_and_best_practice() -> None:
    assert all(s.pillar in PILLARS and s.best_practice for s in REGISTRY.values())


def test_status_per_pillar_and_the_high_risk_count() -> None:
    found = [_finding("SEC-004", "high", "db unencrypted"), _finding("DAT-016", "medium"),
             _finding("CMP-001", "medium"), _finding("NET-010", "low")]
    assert view.status_line(found, "security")[0] == "at risk"
    assert view.status_line(found, "reliability") == ("needs attention", "1 medium, 1 low: "
                                                      f"{REGISTRY['DAT-016'].title}; {REGISTRY['NET-010'].title}")
    assert view.status_line(found, "performance efficiency") == ("sound", "no finding")
    assert view.high_risks(found) == 1
    html = view.pillar_status(found)._repr_html_()
    assert html.index("Security") < html.index("Reliability") < html.index("Cost optimization")


def test_pillar_tables_and_escaping() -> None:
    found = [_finding("SEC-004", "high", "<script>x</script>", ("arn:aws:rds:us-east-1:1:db:prod",))]
    html = view.pillar_findings(found, "security").to_html()
    assert "SEC08-BP02" in html and "<script>" not in html and "db:prod" in html
    assert isinstance(view.pillar_findings(found, "reliability"), Note)


def test_the_demo_reads_through_the_lens() -> None:
    snap = demo_snapshot("production")
    found = evaluate(snap)
    assert isinstance(view.not_assessed(snap), Note)
    words = {p: view.status_line(found, p)[0] for p in ("security", "reliability")}
    assert set(words.values()) <= {"at risk", "needs attention", "sound"}
