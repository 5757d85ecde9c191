"""Tests and caches that hold anywhere.

- No absolute path of a particular machine in the sources, tests, docs, notebooks or scripts: a clone
  in any folder, on any machine, must pass ``make test`` (fixtures live under tests/fixtures).
- The resume digests and the analysis cache include a digest of the package's code, so an upgrade or
  an edit recomputes even though ``__version__`` is never bumped.
- ``github_repo`` and ``report.logo`` written relative in a params file mean "next to the params
  file", whatever the working directory, and the digests see the resolved path.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from awsassess import codedigest
from awsassess.batch import plan, run_batch
from awsassess.notebook import AnalysisMemo, analysis_for, open_context
from awsassess.params import load_params_file
from awsassess.snapshot import Snapshot
from demo_snapshots import demo_snapshot
from paths import REPO
from test_batch import STEPS, account, calls, notebooks

ROOT = REPO

# --------------------------------------------------------------------------- no machine paths
SCANNED = ("lib", "tests", "docs", "notebooks", "scripts", "benchmarks", "README.md", "Makefile")
SKIPPED_DIRS = {"__pycache__", ".ipynb_checkpoints"}  # and any folder whose name starts with "."

# The roots under which a path names one machine's files: home folders (Linux, macOS, root's), this
# workspace's /work, WSL/mounted drives, and Windows drive letters (C:\..., C:/...). A path must start
# there (not preceded by a name character), so ``src/home/x`` or the path part of a URL is not one.
# System paths (/usr/bin/chromium, /dev/null, /tmp/... in CI data) are the same on every machine and
# are not matched at all.
MACHINE_PATH = re.compile(r"(?<![\w.~-])/(?:work|home|root|Users|mnt)/|(?<![\w%])[A-Z]:(?:\\\\?|/)(?=\w)")
# Network URLs are addresses, not files of this machine (a file:// URL is, so it is not removed).
URL = re.compile(r"\b(?:https?|s3|git|ssh)://\S+")
# Exact texts that match MACHINE_PATH but name no machine of ours, each with its reason. Keep it small.
ALLOWED: dict[str, str] = {}


def machine_paths(line: str) -> list[str]:
    """The machine paths in one line of text, URLs and :data:`ALLOWED` texts left out."""
    line = URL.sub(" ", line)
    for text in ALLOWED:
        line = line.replace(text, " ")
    return [m.group(0) for m in MACHINE_PATH.finditer(line)]


def scanned_files() -> list[Path]:
    files: list[Path] = []
    for name in SCANNED:
        top = ROOT / name
        if top.is_file():
            files.append(top)
        elif top.is_dir():
            for path in sorted(top.rglob("*")):
                rel = path.relative_to(top).parts
                if path.is_file() and not any(p in SKIPPED_DIRS or p.startswith(".") for p in rel[:-1]):
                    files.append(path)
    return files


def test_matcher_flags_machine_paths_only() -> None:
    # built by concatenation so that this file itself holds none of them
    flagged = ["/" "work/shared/testdata/cicd", "x = '/" "home/alice/repo'", "/" "root/.aws/config",
               "/" "Users/bob/logo.png", "C:" "\\Users\\bob", "C:" "\\\\Users\\\\bob", "C:/" "Users/bob",
               "file:///" "home/alice/x.yml", "/" "mnt/c/data", "PATH=/usr/bin:/" "home/alice/bin"]
    for text in flagged:
        assert machine_paths(text), text
    kept = ["/usr/bin/chromium", "/dev/null", "--cache-to type=local,dest=/tmp/.buildx-cache",
            "https://github.com/" "Users/x", "see http://example.com/" "home/", "lib/awsassess/home/x.py",
            "../shared/reference/pricing-facts.md", "log.error('%s:\\n%s')", "arn:aws:iam::1:role/root/x"]
    for text in kept:
        assert not machine_paths(text), text


def test_no_absolute_machine_path_in_the_repository() -> None:
    files = scanned_files()
    assert len(files) > 100  # the scan found the repository
    found = []
    for path in files:
        data = path.read_bytes()
        if b"\0" in data[:8192]:  # binary (parquet, png, gzip): no text paths to fix
            continue
        for n, line in enumerate(data.decode("utf-8", errors="replace").splitlines(), 1):
            for hit in machine_paths(line):
                found.append(f"{path.relative_to(ROOT)}:{n}: {hit!r} in {line.strip()[:120]}")
    assert not found, "absolute machine paths (use a path relative to the repository or a fixture):\n" + \
        "\n".join(found)


def test_copied_fixtures_carry_their_provenance() -> None:
    shared = ROOT / "tests" / "fixtures" / "shared-testdata"
    header = (shared / "README.md").read_text()
    assert "../shared/testdata" in header and "2026-12-07" in header
    for folder in ("aws-examples", "cicd", "copilot"):
        assert (shared / folder / "README.md").is_file(), folder


# --------------------------------------------------------------------------- code digest
def package_copy(tmp_path: Path) -> Path:
    dest = tmp_path / "awsassess"
    shutil.copytree(codedigest.PACKAGE_ROOT, dest, ignore=shutil.ignore_patterns("__pycache__"))
    return dest


def test_code_digest_is_stable_and_independent_of_the_folder(tmp_path: Path) -> None:
    digest = codedigest.code_digest()
    assert re.fullmatch(r"[0-9a-f]{16}", digest) and codedigest.code_digest() == digest
    copy = package_copy(tmp_path)
    assert codedigest.code_digest(copy) == codedigest.code_digest(codedigest.PACKAGE_ROOT)
    names = {p.relative_to(copy).as_posix() for p in codedigest.code_files(copy)}
    assert {"__init__.py", "codedigest.py", "batch/plan.py"} <= names
    assert any(n.endswith(".json") for n in names) and any(n.endswith(".csv") for n in names)


def test_code_digest_changes_with_any_source_or_data_file(tmp_path: Path) -> None:
    copy = package_copy(tmp_path)
    before = codedigest.code_digest(copy)

    (copy / "__pycache__").mkdir()
    (copy / "__pycache__" / "x.cpython-311.pyc").write_bytes(b"compiled")
    (copy / "notes.txt").write_text("not code")
    assert codedigest.code_digest(copy) == before  # caches and unrelated files do not count

    plan_py = copy / "batch" / "plan.py"
    original = plan_py.read_bytes()
    plan_py.write_bytes(original + b"\n# an edit\n")
    assert codedigest.code_digest(copy) != before
    plan_py.write_bytes(original)
    assert codedigest.code_digest(copy) == before

    data = next(p for p in codedigest.code_files(copy) if p.suffix == ".csv")
    data.write_bytes(data.read_bytes() + b"\n")
    edited_data = codedigest.code_digest(copy)
    assert edited_data != before

    (copy / "batch" / "plan.py").rename(copy / "batch" / "plan2.py")  # same bytes, other name
    assert codedigest.code_digest(copy) not in (before, edited_data)


def pretend_upgrade(monkeypatch: pytest.MonkeyPatch) -> None:
    """As if the package had been upgraded: every later code_digest() call answers another value."""
    new = "f" * 16
    assert codedigest.code_digest() != new
    monkeypatch.setattr(codedigest, "code_digest", lambda root=None: new)


def test_every_resume_digest_includes_the_code(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    params = account("alpha")
    snap = tmp_path / "snapshot"
    (snap / "tables").mkdir(parents=True)
    (snap / "manifest.json").write_text("{}")
    nb = plan.NotebookSource("01_ok", tmp_path / "01_ok.ipynb", "sha256:nb")

    def digests() -> list[str]:  # each from fixed upstream digests: each must include the code itself
        return [plan.collect_digest(params), plan.analyze_digest("sha256:c", snap, params),
                plan.notebook_digest("sha256:a", nb), plan.report_digest(["sha256:a"], params),
                plan.portfolio_digest([("alpha", "sha256:r", "ok")])]

    before = digests()
    assert digests() == before
    pretend_upgrade(monkeypatch)
    after = digests()
    assert all(a != b for a, b in zip(before, after, strict=True)), (before, after)


def test_resume_reruns_every_step_after_an_upgrade(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    nb_dir = notebooks(tmp_path, "01_ok")

    def run(resume: bool) -> int:
        return run_batch([account("alpha")], out, resume=resume, notebooks_dir=nb_dir, steps=STEPS,
                         progress=False).exit_code

    assert run(resume=False) == 0
    before = len(calls(out))
    assert run(resume=True) == 0
    assert calls(out)[before:] == []  # same code: everything reused

    pretend_upgrade(monkeypatch)
    before = len(calls(out))
    assert run(resume=True) == 0
    assert sorted(calls(out)[before:]) == sorted(
        ["collect alpha", "analyze alpha", "notebook:01_ok alpha", "report alpha", "portfolio"])
    run = json.loads((out / "run.json").read_text())
    assert not any(s["reused"] for a in run["accounts"] for s in a["steps"])


def test_analysis_memo_is_recomputed_after_an_upgrade(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cached = demo_snapshot("staging")  # saved as a copy: save() records the new schema_version in its manifest
    Snapshot(manifest=dict(cached.manifest), tables=dict(cached.tables)).save(tmp_path / "snapshot")
    ctx = open_context(tmp_path / "snapshot", tmp_path, {})
    memo = AnalysisMemo()
    _, model = analysis_for(ctx.snapshot, ctx.assumptions, memo)
    assert analysis_for(ctx.snapshot, ctx.assumptions, memo)[1] is model  # same code and inputs: remembered
    pretend_upgrade(monkeypatch)
    assert analysis_for(ctx.snapshot, ctx.assumptions, memo)[1] is not model  # new code: computed again


# --------------------------------------------------------------------------- params relative paths
PARAMS = """\
name: acme-prod
account_id: "012345678901"
regions: [us-east-1]
github_repo: {repo}
report:
  client: Acme
  logo: {logo}
"""


@pytest.fixture
def params_dir(tmp_path: Path) -> Path:
    """tmp/conf/p.yaml with a logo and a checkout next to it; the test runs from tmp/elsewhere."""
    conf = tmp_path / "conf"
    (conf / "repo" / ".github" / "workflows").mkdir(parents=True)
    (conf / "repo" / ".github" / "workflows" / "deploy.yml").write_text("on: push\n")
    (conf / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n one")
    (conf / "p.yaml").write_text(PARAMS.format(repo="repo", logo="logo.png"))
    (tmp_path / "elsewhere").mkdir()
    return conf


def test_relative_paths_are_resolved_against_the_params_file(
        params_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path / "elsewhere")
    for path in (params_dir / "p.yaml", Path("..") / "conf" / "p.yaml"):  # absolute, and relative to the cwd
        p = load_params_file(path)
        assert p.github_repo == (params_dir / "repo").resolve() and p.github_repo.is_absolute()
        assert p.report.logo == (params_dir / "logo.png").resolve() and p.report.logo.is_absolute()
        # what the digests hash is the resolved path
        dump = plan.params_dump(p)
        assert dump["github_repo"] == str(params_dir.resolve() / "repo")
        assert dump["report"]["logo"] == str(params_dir.resolve() / "logo.png")


def test_absolute_and_home_paths_are_kept(
        params_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(params_dir))
    logo = params_dir / "logo.png"
    (params_dir / "q.yaml").write_text(PARAMS.format(repo="~/repo", logo=logo))
    monkeypatch.chdir(tmp_path / "elsewhere")
    p = load_params_file(params_dir / "q.yaml")
    assert p.github_repo == params_dir / "repo" and p.report.logo == logo


def test_digests_follow_the_files_next_to_the_params_file_from_any_cwd(
        params_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(params_dir)
    here = load_params_file("p.yaml")
    monkeypatch.chdir(tmp_path / "elsewhere")
    there = load_params_file(params_dir / "p.yaml")
    assert plan.collect_digest(here) == plan.collect_digest(there)
    assert plan.report_digest([], here) == plan.report_digest([], there)

    # the workflows and the logo are read from the params file's folder, not from the cwd
    collect, report = plan.collect_digest(there), plan.report_digest([], there)
    (params_dir / "repo" / ".github" / "workflows" / "deploy.yml").write_text("on: [push, pull_request]\n")
    (params_dir / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n two")
    assert plan.collect_digest(there) != collect
    assert plan.report_digest([], there) != report
