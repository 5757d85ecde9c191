"""Shared fixtures: the simulated fintech estate (one server per test session) and fault cleanup.

- ``demo_estate`` (session): a running :class:`awsassess.demo.Estate` with the fintech case seeded;
  use ``demo_estate.endpoint_url``, ``demo_estate.session(account_id)`` (assume-role into the audit
  role), ``demo_estate.set_faults(...)``, ``demo_estate.operations()``.
- ``fresh_faults`` (function): the same estate, with faults cleared, latency reset to 0 and the
  operation log reset before the test; faults and latency cleared again after it.
- ``collect_demo`` (session): ``collect_demo(account, *collector_modules)`` collects one simulated
  account (an ``AccountSpec`` or its name) with only those collectors, strictly, ONCE per session per
  (account, modules); ``collect_demo.fresh(account, *modules, out=dir)`` collects again without the
  cache (e.g. under injected faults). Tests must not modify the cached snapshots.
- ``moto_url`` (module): a bare moto server (no estate) that the test module seeds itself;
  ``moto_session(account_id)`` is a boto3 session assumed into ``account_id`` on it and
  ``moto_collect(account_id, module, out, strict=True, **params)`` collects from it with one collector.
Dummy AWS credentials and region are set for the whole session so no real AWS is ever used.
"""

from __future__ import annotations

import dataclasses
import logging
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import boto3
import pytest

# tests build static deliverables, even when run from a JupyterLab terminal of `awsassess lab`
os.environ.pop("AWSASSESS_LAB", None)
from awsassess.aws import client_config, session_for
from awsassess.collect.account import collect_account
from awsassess.collect.contract import Collector
from awsassess.demo import Estate
from awsassess.demo.estate import ACCOUNTS, AccountSpec
from awsassess.params import AccountParams
from awsassess.snapshot import Snapshot

#: fixtures that start a simulated estate or a moto server (their tests are not part of `make test-fast`)
SERVER_FIXTURES = frozenset({"demo_estate", "fresh_faults", "demo_snapshots", "collect_demo", "moto_url",
                             "moto_session", "moto_collect"})
#: what in a test module's source starts a kernel, a browser, a server or another process
HEAVY_SOURCE = ("papermill", "execute_notebook", "jupyter_client", "nbclient", "find_chromium", "html_to_pdf",
                "subprocess", "Estate.launch", "launch_many", "ThreadedMotoServer", "multiprocessing",
                "build_account_report", "build_portfolio", "run_batch", "playwright",
                "getfixturevalue")  # a fixture chosen at run time may be a server (SERVER_FIXTURES)
_HEAVY_MODULES: dict[str, bool] = {}
#: session fixtures that start something long (the simulated estate, `awsassess demo`): their tests share a worker
SHARED_SESSIONS = {"demo": frozenset({"demo_cli_run", "demo_run", "demo_report", "lab"}),
                   "estate": frozenset({"demo_estate", "fresh_faults", "demo_snapshots", "collect_demo"})}


def _module_is_heavy(path: Path) -> bool:
    if str(path) not in _HEAVY_MODULES:
        source = path.read_text(encoding="utf-8")
        _HEAVY_MODULES[str(path)] = any(word in source for word in HEAVY_SOURCE)
    return _HEAVY_MODULES[str(path)]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--fast", action="store_true",
                     help="only the tests needing no server, kernel, browser or process (make test-fast); "
                          "modules that start one are not even imported")
    parser.addoption("--heavy-only", action="store_true",
                     help="only the tests --fast leaves out (make test runs the two halves one after the other)")


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    if (config.getoption("fast") and collection_path.suffix == ".py" and collection_path.name.startswith("test_")
            and _module_is_heavy(collection_path)):
        return True
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark ``heavy`` every test that needs a server, a kernel, a browser or a process: ``make test-fast``
    runs the others, the edit loop's minute. A new test is classified by what it uses, no list to keep;
    a long property search says so itself (``pytestmark = pytest.mark.heavy`` or on the test)."""
    for item in items:
        if (SERVER_FIXTURES & set(getattr(item, "fixturenames", ())) or item.get_closest_marker("slow")
                or _module_is_heavy(Path(str(item.fspath)))):
            item.add_marker(pytest.mark.heavy)
    if config.getoption("fast"):
        heavy = [item for item in items if item.get_closest_marker("heavy")]
        if heavy:
            config.hook.pytest_deselected(items=heavy)
            items[:] = [item for item in items if not item.get_closest_marker("heavy")]
    if config.getoption("heavy_only"):
        light = [item for item in items if not item.get_closest_marker("heavy")]
        if light:
            config.hook.pytest_deselected(items=light)
            items[:] = [item for item in items if item.get_closest_marker("heavy")]
    # spread over workers (-n), the tests sharing a session-wide simulated estate or demo run stay on one
    # worker each (--dist loadgroup), so each is started once, not once per worker
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        group = next((g for g, fixtures in SHARED_SESSIONS.items() if names & fixtures), None)
        if group is not None:
            item.add_marker(pytest.mark.xdist_group(group))


_DUMMY_ENV = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
              "AWS_DEFAULT_REGION": "us-east-1", "AWS_SESSION_TOKEN": None, "AWS_PROFILE": None,
              "AWS_SECURITY_TOKEN": None,
              # every analyze in the suite would check its exit kit with five tools (~5 s each); the kit's
              # checks are tested where they are the subject (tests/iac, which calls them directly)
              "AWSASSESS_IAC_CHECKS": "off"}


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
def demo_cli_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any]:
    """``awsassess demo --out DIR --jobs 2`` once per session, as a user runs it (a subprocess): (DIR, process).
    The end-to-end tests read it; ``demo --after`` migrates from its plan."""
    import subprocess
    import sys

    out = tmp_path_factory.mktemp("demo") / "out"
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    proc = subprocess.run([sys.executable, "-m", "awsassess.cli", "demo", "--out", str(out), "--jobs", "2"],
                          capture_output=True, text=True, timeout=900, env=env)
    return out, proc


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
    demo_estate.set_replay(False)
    demo_estate.clear_replay()
    yield demo_estate
    demo_estate.clear_faults()
    demo_estate.set_latency(0)
    demo_estate.set_replay(False)
    demo_estate.clear_replay()


class DemoSnapshots(dict):  # type: ignore[type-arg]
    """name/environment -> Snapshot, plus ``operations``: every (service, operation) the collection sent."""

    operations: set[tuple[str, str]]


@pytest.fixture(scope="session")
def demo_snapshots(demo_estate: Estate, tmp_path_factory: pytest.TempPathFactory) -> DemoSnapshots:
    """Both simulated accounts collected ONCE per test session with every collector (strict: a collector
    bug fails loudly), by environment ("staging", "production") and by account name, with the operations
    the estate saw during that collection. Tests must not modify them."""
    from awsassess.collect import collect_account
    from awsassess.demo.estate import ACCOUNTS
    from awsassess.demo_run import write_demo_params
    from awsassess.params import load_params_files

    out = tmp_path_factory.mktemp("demo-snapshots")
    snaps = DemoSnapshots()
    demo_estate.clear_faults()
    demo_estate.reset_operations()
    for params in load_params_files(write_demo_params(demo_estate.endpoint_url, out / "params")):
        spec = next(s for s in ACCOUNTS if s.name == params.name)
        snaps[spec.environment] = snaps[spec.name] = collect_account(params, out, strict=True)
    snaps.operations = set(demo_estate.operations())
    return snaps


# ------------------------------------------------------------------ collector tests: the estate
class DemoCollector:
    """Collects one simulated account with chosen collector modules; cached per (account, modules)."""

    def __init__(self, estate: Estate, tmp_path_factory: pytest.TempPathFactory) -> None:
        self._estate = estate
        self._tmp = tmp_path_factory
        self._cache: dict[tuple[str, tuple[str, ...]], Snapshot] = {}

    @staticmethod
    def spec(account: AccountSpec | str) -> AccountSpec:
        if isinstance(account, AccountSpec):
            return account
        return next(a for a in ACCOUNTS if a.name == account)

    def params(self, account: AccountSpec | str) -> AccountParams:
        acct = self.spec(account)
        return AccountParams(name=acct.name, account_id=acct.account_id, regions=[acct.region],
                             auth={"endpoint_url": self._estate.endpoint_url,
                                   "role_arn": self._estate.role_arn(acct.account_id),
                                   "external_id": self._estate.external_id})

    def fresh(self, account: AccountSpec | str, *modules: ModuleType, out: Path) -> Snapshot:
        """A new strict collection into ``out`` (not cached: the estate may have faults injected)."""
        return collect_account(self.params(account), out, collectors=[Collector.from_module(m) for m in modules],
                               strict=True)

    def __call__(self, account: AccountSpec | str, *modules: ModuleType) -> Snapshot:
        key = (self.spec(account).name, tuple(m.__name__ for m in modules))
        if key not in self._cache:
            self._cache[key] = self.fresh(account, *modules, out=self._tmp.mktemp("demo-collect"))
        return self._cache[key]


@pytest.fixture(scope="session")
def collect_demo(demo_estate: Estate, tmp_path_factory: pytest.TempPathFactory) -> DemoCollector:
    return DemoCollector(demo_estate, tmp_path_factory)


# ------------------------------------------------------------------ collector tests: bare moto
MOTO_REGION = "us-east-1"


@pytest.fixture(scope="module")
def moto_url() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.CRITICAL)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{server._server.server_port}"  # noqa: SLF001
    finally:
        server.stop()


@pytest.fixture(scope="module")
def moto_session(moto_url: str) -> Callable[[str], boto3.Session]:
    """``moto_session(account_id)``: a session assumed into ``account_id`` on the module's moto server."""
    def session(acct: str) -> boto3.Session:
        creds = boto3.client("sts", endpoint_url=moto_url, region_name=MOTO_REGION).assume_role(
            RoleArn=f"arn:aws:iam::{acct}:role/seed", RoleSessionName="seed")["Credentials"]
        return boto3.Session(aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
                             aws_session_token=creds["SessionToken"], region_name=MOTO_REGION)

    return session


@pytest.fixture(scope="module")
def moto_collect(moto_url: str) -> Callable[..., Snapshot]:
    """``moto_collect(account_id, module, out, strict=True, **params)``: one collector against the module's moto."""
    def collect(acct: str, module: Any, out: Path, strict: bool = True, **extra: Any) -> Snapshot:
        params = AccountParams(name="t", account_id=acct, regions=[MOTO_REGION],
                               auth={"endpoint_url": moto_url, "role_arn": f"arn:aws:iam::{acct}:role/audit"},
                               **extra)
        # one attempt per call: raw moto answers unimplemented operations with HTTP 404/500
        session = dataclasses.replace(session_for(params), config=client_config(max_attempts=1))
        return collect_account(params, out, collectors=[Collector.from_module(module)], session=session,
                               strict=strict)

    return collect
