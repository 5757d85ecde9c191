"""The exit kit on estates nobody designed: generated snapshots with odd rows and the demo damaged the ways real
snapshots are. The kit is built without an exception, and what it writes parses and passes the schema and
reference checks (the tools that run subprocesses are left to the other modules)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from awsassess.iac import build_kit, proposed_monthly
from awsassess.iac.check import check_references, check_schema, parse_dir
from awsassess.model import assess
from hypothesis import HealthCheck, given, settings
from views.test_views_robust import damaged_demo, junk_snapshot

pytestmark = pytest.mark.heavy  # about 20 s: a model and a kit per example

DOMAINS = ("network", "compute", "datastores", "pipelines", "cdn", "spend")
def _settings(n: int) -> settings:
    return settings(deadline=None, suppress_health_check=list(HealthCheck), derandomize=True, database=None,
                    max_examples=n)


def _kit_is_sound(snap) -> None:  # noqa: ANN001
    model = assess(snap, {"allow_missing_prices": True})
    kit = build_kit(model.proposed, snap, model.migration, [], monthly=proposed_monthly(model))
    with tempfile.TemporaryDirectory() as tmp:
        for rel, text in kit.files.items():
            path = Path(tmp) / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        for tf_dir in sorted({p.parent for p in Path(tmp).rglob("*.tf")}):
            parsed, errors = parse_dir(tf_dir)
            assert not errors, errors
            for result in (check_schema(parsed), check_references(parsed)):
                assert result.ok, result.problems


@_settings(10)
@given(snap=junk_snapshot(DOMAINS))
def test_generated_estates_give_a_sound_kit(snap) -> None:  # noqa: ANN001
    _kit_is_sound(snap)


@_settings(6)
@given(snap=damaged_demo(DOMAINS))
def test_damaged_demo_estates_give_a_sound_kit(snap) -> None:  # noqa: ANN001
    _kit_is_sound(snap)
