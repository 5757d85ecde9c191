"""Assumption names: old spellings keep their meaning, one name never carries two meanings."""

from __future__ import annotations

import pytest
from awsassess.assumptions import resolve


def test_old_threshold_names_still_set_the_one_threshold() -> None:
    a = resolve({"findings": {"db_low_cpu_p95_pct": 10}})
    assert a.findings.db_downsize_cpu_p95_pct == 10 and a.model.db_downsize_cpu_p95_pct == 10
    b = resolve({"model": {"nonprod_downsize_cpu_pct": 15}})
    assert b.findings.db_downsize_cpu_p95_pct == 15
    with pytest.raises(ValueError, match="db_downsize_cpu_p95_pct"):
        resolve({"findings": {"db_low_cpu_p95_pct": 10}, "model": {"nonprod_downsize_cpu_pct": 15}})


def test_the_gateway_endpoint_share_has_two_names_for_its_two_meanings() -> None:
    """The findings' illustrative estimate and the model's measured share were both called
    gateway_endpoint_share_pct; each section still reads the old name with its old meaning."""
    a = resolve({})
    assert a.findings.gateway_endpoint_estimate_pct == 30 and a.model.gateway_endpoint_measured_pct == 0
    old = resolve({"findings": {"gateway_endpoint_share_pct": 20}, "model": {"gateway_endpoint_share_pct": 45}})
    assert old.findings.gateway_endpoint_estimate_pct == 20 and old.model.gateway_endpoint_measured_pct == 45
    assert not hasattr(old.model, "gateway_endpoint_share_pct") and not hasattr(old.findings, "gateway_endpoint_share_pct")
