"""One data-store right-size (:func:`awsassess.facts.datastore_class.target_class`): the class the rules
suggest and the model prices."""

from __future__ import annotations

import pytest
from awsassess.facts.assumptions import SharedAssumptions
from awsassess.facts.datastore_class import one_size_down, target_class

SHARED = SharedAssumptions()


def target(cls: str, engine: str = "postgres", cpu: float | None = None, production: bool = False,
           **shared: object) -> str:
    a = SharedAssumptions(**shared) if shared else SHARED
    return target_class(cls, engine, cpu_p95=cpu, production=production, shared=a).target


@pytest.mark.parametrize(("cls", "engine", "expected"), [
    ("db.m5.large", "postgres", "db.m6g.large"),
    ("db.r5.2xlarge", "mysql", "db.r6g.2xlarge"),
    ("db.t3.medium", "postgres", "db.t4g.medium"),
    ("db.m4.large", "postgres", "db.m6g.large"),          # previous generation: straight to Graviton
    ("db.r5.large", "docdb", "db.r6g.large"),
    ("cache.m5.large", "redis", "cache.m6g.large"),
    ("cache.t3.medium", "valkey", "cache.t4g.medium"),
    ("db.m7g.large", "postgres", "db.m7g.large"),         # already Graviton
    ("db.m5.large", "sqlserver-se", "db.m5.large"),       # no Graviton for SQL Server
    ("db.z1d.large", "postgres", "db.z1d.large"),         # no Graviton family for z
    ("not-a-class", "postgres", "not-a-class"),
])
def test_graviton_same_size(cls: str, engine: str, expected: str) -> None:
    assert target(cls, engine) == expected


def test_graviton_can_be_switched_off() -> None:
    assert target("db.m5.large", graviton_databases=False) == "db.m5.large"
    assert target("db.m5.xlarge", cpu=5, graviton_databases=False) == "db.m5.large"


@pytest.mark.parametrize(("cls", "cpu", "expected"), [
    ("db.t3.large", 6, "db.t4g.medium"),       # the demo's staging postgres
    ("db.m5.xlarge", 10, "db.m6g.large"),
    ("db.m5.large", 10, "db.m6g.large"),       # m/r: never below large (no burstable swap)
    ("db.t3.medium", 4, "db.t4g.medium"),      # t: never below medium (and DocumentDB has nothing smaller)
    ("db.m5.xlarge", 25, "db.m6g.large"),      # at the threshold: down
    ("db.m5.xlarge", 25.1, "db.m6g.xlarge"),   # above: kept
    ("db.m5.xlarge", None, "db.m6g.xlarge"),   # unmeasured: never down-sized
])
def test_one_size_down_on_low_cpu(cls: str, cpu: float | None, expected: str) -> None:
    assert target(cls, cpu=cpu) == expected


def test_production_follows_its_policy() -> None:
    assert target("db.m5.xlarge", cpu=5, production=True) == "db.m6g.large"
    assert target("db.m5.xlarge", cpu=5, production=True, downsize_production_databases=False) == "db.m6g.xlarge"
    assert target("db.m5.xlarge", cpu=5, production=False, downsize_production_databases=False) == "db.m6g.large"


def test_caches_are_not_downsized_on_cpu() -> None:
    assert target("cache.m5.xlarge", "redis", cpu=1) == "cache.m6g.xlarge"


def test_candidates_put_the_target_first_and_today_last() -> None:
    t = target_class("db.m5.xlarge", "postgres", cpu_p95=5, production=False, shared=SHARED)
    assert t.candidates == ("db.m6g.large", "db.m7g.large", "db.m5.large", "db.m5.xlarge")
    assert t.graviton and t.downsized and t.changed
    assert t.reason() == "db.m5.xlarge -> db.m6g.large: Graviton, one size down (p95 CPU 5%)"
    kept = target_class("db.m7g.large", "postgres", cpu_p95=40, production=True, shared=SHARED)
    assert not kept.changed and kept.candidates == ("db.m7g.large",) and kept.reason() == "class kept (p95 CPU 40%)"


def test_one_size_down_floors() -> None:
    assert one_size_down("2xlarge", "r") == "xlarge"
    assert one_size_down("large", "r") is None
    assert one_size_down("large", "t") == "medium"
    assert one_size_down("medium", "t") is None
    assert one_size_down("large", "q") is None and one_size_down("huge", "m") is None
