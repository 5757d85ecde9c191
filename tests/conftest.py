"""Shared fixtures: the simulated fintech estate (one server per test session) and fault cleanup.

- ``demo_estate`` (session): a running :class:`awsassess.demo.Estate` with the fintech case seeded;
  use ``demo_estate.endpoint_url``, ``demo_estate.session(account_id)`` (assume-role into the audit
  role), ``demo_estate.set_faults(...)``, ``demo_estate.operations()``.
- ``fresh_faults`` (function): the same estate, with faults cleared, latency reset to 0 and the
  operation log reset before the test; faults and latency cleared again after it.
Dummy AWS credentials and region are set for the whole session so no real AWS is ever used.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from awsassess.demo import Estate
from awsassess.snapshot import Snapshot

_DUMMY_ENV = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
              "AWS_DEFAULT_REGION": "us-east-1", "AWS_SESSION_TOKEN": None, "AWS_PROFILE": None,
              "AWS_SECURITY_TOKEN": None}


@pytest.fixture(scope="session", autouse=True)
def _dummy_aws_credentials() -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in _DUMMY_ENV}
    for key, value in _DUMMY_ENV.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
    yield
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture(scope="session")
def demo_estate(_dummy_aws_credentials: None) -> Iterator[Estate]:
    estate = Estate.start("fintech", timeout=300)
    try:
        yield estate
    finally:
        estate.stop()


@pytest.fixture
def fresh_faults(demo_estate: Estate) -> Iterator[Estate]:
    demo_estate.clear_faults()
    demo_estate.set_latency(0)
    demo_estate.reset_operations()
    yield demo_estate
    demo_estate.clear_faults()
    demo_estate.set_latency(0)


@pytest.fixture(scope="session")
def demo_snapshots(demo_estate: Estate, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Snapshot]:
    """Both simulated accounts collected ONCE per test session with every collector, by environment
    ("staging", "production") and by account name. Tests must not modify them."""
    from awsassess.collect import collect_account
    from awsassess.demo.estate import ACCOUNTS
    from awsassess.demo_run import write_demo_params
    from awsassess.params import load_params_files

    out = tmp_path_factory.mktemp("demo-snapshots")
    snaps: dict[str, Snapshot] = {}
    for params in load_params_files(write_demo_params(demo_estate.endpoint_url, out / "params")):
        spec = next(s for s in ACCOUNTS if s.name == params.name)
        snaps[spec.environment] = snaps[spec.name] = collect_account(params, out)
    return snaps
