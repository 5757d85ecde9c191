"""requirements.lock is the install: it matches pyproject.toml, and the running environment matches it.

A lock made from another dependency list, a declared range the pin falls outside, or a package
version that differs from the lock (one 'you happen to have') fails here, before a demo can pass
on a machine it would fail on.
"""

from __future__ import annotations

import re
import runpy
import tomllib
from importlib import metadata

import yaml
from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version
from paths import REPO

ROOT = REPO
LOCK = ROOT / "requirements.lock"


def _pins() -> dict[str, tuple[str, str]]:
    """name -> (version, marker text) for every `name==version` line of the lock."""
    pins: dict[str, tuple[str, str]] = {}
    for line in LOCK.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)\s*(?:;\s*([^\\]+))?", line)
        if m:
            pins[canonicalize_name(m.group(1))] = (m.group(2), (m.group(3) or "").strip())
    return pins


def _declared() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return [Requirement(r) for r in project["dependencies"] + project["optional-dependencies"]["dev"]]


def test_lock_was_made_from_this_pyproject() -> None:
    digest = runpy.run_path(str(ROOT / "scripts" / "deps_digest.py"))["deps_digest"](ROOT / "pyproject.toml")
    recorded = re.search(r"^# pyproject-sha256: (\w+)$", LOCK.read_text(encoding="utf-8"), re.M)
    assert recorded, "requirements.lock has no '# pyproject-sha256:' line. Fix: make lock"
    assert recorded.group(1) == digest, "pyproject.toml's dependencies changed since the lock. Fix: make lock"


def test_every_declared_dependency_is_pinned_inside_its_range() -> None:
    pins = _pins()
    for req in _declared():
        name = canonicalize_name(req.name)
        assert name in pins, f"{req} is declared in pyproject.toml but not in requirements.lock. Fix: make lock"
        version = pins[name][0]
        assert req.specifier.contains(version, prereleases=True), (
            f"requirements.lock pins {name}=={version}, outside pyproject.toml's {req}. Fix: make lock")


def test_every_pin_is_exact_and_hashed() -> None:
    text = LOCK.read_text(encoding="utf-8")
    entries = re.split(r"\n(?=[A-Za-z0-9])", text.split("\n", 3)[3])
    assert len(entries) > 50
    for entry in entries:
        head = entry.splitlines()[0]
        assert "==" in head, f"not an exact pin: {head}"
        assert "--hash=sha256:" in entry, f"no hash for {head}"


def test_installed_packages_are_the_locked_versions() -> None:
    """The environment running these tests was installed from the lock (make setup), not by chance."""
    env = default_environment()
    wrong = []
    for name, (version, marker) in _pins().items():
        if marker and not Requirement(f"x; {marker}").marker.evaluate(env):  # type: ignore[union-attr]
            continue
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            wrong.append(f"{name}: locked {version}, not installed")
            continue
        if Version(installed) != Version(version):
            wrong.append(f"{name}: locked {version}, installed {installed}")
    assert not wrong, "the environment differs from requirements.lock (Fix: make setup):\n" + "\n".join(wrong)


def test_moto_is_held_to_the_releases_the_simulation_was_tested_on() -> None:
    """demo/sim/ patches moto's internals: its range must be closed above, not open."""
    moto = next(r for r in _declared() if canonicalize_name(r.name) == "moto")
    assert any(s.operator in {"<", "<=", "==", "~="} for s in moto.specifier), f"moto has no upper bound: {moto}"


def test_environment_yml_installs_the_lock() -> None:
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    deps = env["dependencies"]
    assert "python=3.11" in deps
    pip_part = next(d["pip"] for d in deps if isinstance(d, dict) and "pip" in d)
    assert "-r requirements.lock" in pip_part and "--require-hashes" in pip_part
