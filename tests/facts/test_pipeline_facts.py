"""One build-phase engine for the rules and the pipeline-time model (awsassess.facts.pipelines)."""

from __future__ import annotations

import json

from awsassess.facts.pipelines import phase_medians, phase_seconds


def test_a_phase_cell_is_read_one_way() -> None:
    assert phase_seconds(json.dumps({"build": 300, "INSTALL": "12.5", "QUEUED": True, "UPLOAD": None,
                                     "FINALIZING": "soon"})) == {"BUILD": 300.0, "INSTALL": 12.5}
    assert phase_seconds("not json") == {} and phase_seconds(None) == {} and phase_seconds(7) == {}


def test_each_phase_median_is_over_the_builds_that_timed_it() -> None:
    builds = [{"INSTALL": 10.0, "BUILD": 100.0}, {"BUILD": 300.0}, {"BUILD": 200.0, "POST_BUILD": 5.0}]
    assert phase_medians(builds) == {"INSTALL": 10.0, "BUILD": 200.0, "POST_BUILD": 5.0}
    assert list(phase_medians(builds)) == ["INSTALL", "BUILD", "POST_BUILD"]  # order of first appearance
    assert phase_medians([]) == {}
