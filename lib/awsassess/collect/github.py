"""Static analysis of CI definitions: GitHub Actions workflows and CodeBuild buildspecs.

No GitHub API is called: workflows are read from a local checkout (``params.github_repo``,
``.github/workflows/*.yml|*.yaml``). Buildspecs come from CodeBuild projects (inline
``source.buildspec``) or from files.

What is detected, and the words used in ``cache_kinds``:

``gha`` ``registry`` ``local`` ``s3`` ``azblob`` ``inline``
    BuildKit caches: ``cache-from``/``cache-to`` of ``docker/build-push-action`` (``type=...``; a bare
    image reference counts as ``registry``), ``--cache-from``/``--cache-to`` on a ``docker build`` /
    ``docker buildx build`` command line, ``BUILDKIT_INLINE_CACHE=1`` (``inline``).
``actions/cache``
    ``actions/cache`` (or ``actions/cache/restore``) on a Docker layer path (``/tmp/.buildx-cache``,
    ``docker``, ``layers``).
``docker-layer-caching``
    ``satackey/action-docker-layer-caching`` (and forks of it): an ``actions/cache``-based layer cache.
``depot``
    ``depot/build-push-action`` or ``depot build``: Depot's remote builders keep a persistent
    layer cache, with no cache flag in the workflow.
``dependencies``
    a cache that is *not* a Docker layer cache (``actions/cache`` on other paths, ``setup-node``
    ``cache:``...). It is listed, but does not make ``build_cache`` true.

``build_cache`` is true when a Docker **layer** cache kind (anything but ``dependencies``) is present.
``docker_build``: ``docker/build-push-action``, ``depot/build-push-action``, or a command running
``docker build``, ``docker buildx build``, ``docker image build``, ``docker compose build``,
``depot build``, ``copilot svc|job package|deploy`` (Copilot builds the images).
``deploys_to_ecs``: ``aws-actions/amazon-ecs-deploy-task-definition``, or a command running
``aws ecs update-service|create-service|deploy``, ``ecs-deploy`` or ``copilot svc|job|deploy``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from awsassess.tables import dumps

__all__ = [
    "BuildspecInfo",
    "WorkflowProblem",
    "analyse_buildspec",
    "analyse_commands",
    "parse_workflow",
    "scan_repository",
]

# ----------------------------------------------------------------- command-line scanning
_DOCKER_BUILD = re.compile(
    r"\b(?:docker(?:-compose|\s+compose)?\s+(?:buildx\s+|image\s+)?build|depot\s+build|"
    r"copilot(?:-linux)?\s+(?:svc|job)\s+(?:package|deploy)|docker\s+buildx\s+bake)\b"
)
_CACHE_FLAG = re.compile(r"--cache-(?:from|to)(?:\s+|=)(\"[^\"]*\"|'[^']*'|\S+)")
_INLINE_CACHE = re.compile(r"BUILDKIT_INLINE_CACHE\s*=\s*[\"']?1")
_ECS_DEPLOY_CMD = re.compile(
    r"\baws\s+ecs\s+(?:update-service|create-service|deploy)\b|\becs-deploy\b|"
    r"\bcopilot(?:-linux)?\s+(?:(?:svc|job)\s+)?deploy\b"
)
_CACHE_TYPE = re.compile(r"type=([a-z0-9]+)")
_LAYER_PATH = re.compile(r"buildx|docker|layer", re.IGNORECASE)


@dataclass
class CommandScan:
    """What a list of shell command lines does."""

    docker_build: bool = False
    cache_kinds: set[str] = field(default_factory=set)
    deploys_to_ecs: bool = False


def _strip_comments(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))


def _cache_kind(spec: str) -> str:
    """``type=gha,mode=max`` -> ``gha``; a bare image reference -> ``registry``."""
    m = _CACHE_TYPE.search(spec)
    return m.group(1) if m else "registry"


def analyse_commands(commands: list[str] | str) -> CommandScan:
    """Scan shell commands (``run:`` blocks, buildspec ``commands``); comment lines are ignored."""
    text = commands if isinstance(commands, str) else "\n".join(str(c) for c in commands)
    text = _strip_comments(text).replace("\\\n", " ")
    scan = CommandScan()
    scan.docker_build = bool(_DOCKER_BUILD.search(text))
    scan.deploys_to_ecs = bool(_ECS_DEPLOY_CMD.search(text))
    for m in _CACHE_FLAG.finditer(text):
        scan.cache_kinds.add(_cache_kind(m.group(1).strip("\"'")))
    if _INLINE_CACHE.search(text):
        scan.cache_kinds.add("inline")
    if re.search(r"\bdepot\s+build\b", text):
        scan.cache_kinds.add("depot")
    return scan


# ----------------------------------------------------------------------- GitHub Actions
_BUILD_ACTIONS = {"docker/build-push-action", "depot/build-push-action", "docker/bake-action"}
_LAYER_CACHE_ACTIONS = re.compile(r"^[^/]+/action-docker-layer-caching$")
_ECS_DEPLOY_ACTIONS = {"aws-actions/amazon-ecs-deploy-task-definition", "aws-actions/amazon-ecs-deploy-express-service"}
_SETUP_WITH_CACHE = re.compile(r"^actions/setup-(?:node|python|java|go|dotnet)$")


@dataclass
class WorkflowProblem:
    """A workflow file that could not be read."""

    path: str
    message: str


def _action_name(uses: str) -> str:
    """``docker/build-push-action@v7`` -> ``docker/build-push-action``; ``./local`` kept as is."""
    return uses.split("@", 1)[0].strip()


def _as_dict(value: Any) -> dict[Any, Any]:
    """A YAML mapping as is; ``{}`` for anything else (missing, a list, a scalar)."""
    return value if isinstance(value, dict) else {}


def _as_lines(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        return [str(v) for v in value]
    return [line for line in str(value).replace(",\n", "\n").splitlines() if line.strip()]


def _triggers(on: Any) -> list[str]:
    if on is None:
        return []
    if isinstance(on, str):
        return [on]
    if isinstance(on, list):
        return [str(t) for t in on]
    if isinstance(on, dict):
        return [str(k) for k in on]
    return []


def parse_workflow(text: str, path: str = "<workflow>") -> dict[str, Any]:
    """One ``github_workflows`` row (without account_id/region) from a workflow's YAML text.

    Raises ``ValueError`` naming the file when the text is not a workflow (YAML error, no ``jobs``).
    """
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ValueError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(doc, dict) or not isinstance(doc.get("jobs"), dict):
        raise ValueError(f"{path}: not a GitHub Actions workflow (no `jobs:` mapping)")
    # YAML 1.1 reads the key `on` as the boolean True.
    on = doc.get("on", doc.get(True))
    uses: list[str] = []
    docker_build = False
    deploys = False
    kinds: set[str] = set()
    for job in doc["jobs"].values():
        if not isinstance(job, dict):
            continue
        if isinstance(job.get("uses"), str):  # a reusable workflow call
            uses.append(_action_name(job["uses"]))
        for step in job.get("steps") or []:
            if not isinstance(step, dict):
                continue
            if isinstance(step.get("run"), str):
                scan = analyse_commands(step["run"])
                docker_build |= scan.docker_build
                deploys |= scan.deploys_to_ecs
                kinds |= scan.cache_kinds
            if not isinstance(step.get("uses"), str):
                continue
            action = _action_name(step["uses"])
            uses.append(action)
            with_ = _as_dict(step.get("with"))
            if action in _BUILD_ACTIONS:
                docker_build = True
                for key in ("cache-from", "cache-to"):
                    for spec in _as_lines(with_.get(key)):
                        kinds.add(_cache_kind(spec))
                if action.startswith("depot/"):
                    kinds.add("depot")
            elif action == "depot/setup-action":
                pass  # installs the CLI; a `depot build` command is what builds
            elif _LAYER_CACHE_ACTIONS.match(action):
                kinds.add("docker-layer-caching")
            elif action in ("actions/cache", "actions/cache/restore", "actions/cache/save"):
                paths = " ".join(_as_lines(with_.get("path")))
                kinds.add("actions/cache" if _LAYER_PATH.search(paths) else "dependencies")
            elif _SETUP_WITH_CACHE.match(action) and with_.get("cache"):
                kinds.add("dependencies")
            if action in _ECS_DEPLOY_ACTIONS:
                deploys = True
    name = doc.get("name")
    return {
        "path": path,
        "name": str(name) if name else Path(path).name,
        "triggers": dumps(_triggers(on)),
        "jobs": len(doc["jobs"]),
        "docker_build": docker_build,
        "build_cache": bool(kinds - {"dependencies"}),
        "cache_kinds": dumps(sorted(kinds)),
        "deploys_to_ecs": deploys,
        "uses": dumps(sorted(set(uses))),
    }


def scan_repository(repo: str | Path) -> tuple[list[dict[str, Any]], list[WorkflowProblem]]:
    """Parse every ``.github/workflows/*.yml|*.yaml`` of a local checkout.

    Returns the rows (paths relative to ``repo``) and the files that could not be parsed.
    Raises ``FileNotFoundError`` when ``repo`` is not a directory.
    """
    root = Path(repo).expanduser()
    if not root.is_dir():
        raise FileNotFoundError(
            f"github_repo: {root} is not a directory. Set `github_repo` in the params file to a local "
            "checkout of the repository (the folder that contains .github/workflows), or remove it."
        )
    wf_dir = root / ".github" / "workflows"
    rows: list[dict[str, Any]] = []
    problems: list[WorkflowProblem] = []
    files = sorted([*wf_dir.glob("*.yml"), *wf_dir.glob("*.yaml")]) if wf_dir.is_dir() else []
    for file in files:
        rel = file.relative_to(root).as_posix()
        try:
            rows.append(parse_workflow(file.read_text(encoding="utf-8"), rel))
        except (ValueError, UnicodeDecodeError) as exc:
            problems.append(WorkflowProblem(rel, str(exc)))
    return rows, problems


# ---------------------------------------------------------------------------- buildspec
@dataclass
class BuildspecInfo:
    """What a CodeBuild buildspec does. ``parsed`` is False when it was scanned as plain text."""

    docker_build: bool
    layer_cache: bool
    cache_kinds: list[str]
    cache_paths: list[str]
    deploys_to_ecs: bool
    parsed: bool


def _buildspec_commands(doc: dict[str, Any]) -> list[str]:
    commands: list[str] = []
    phases = _as_dict(doc.get("phases"))
    for phase in phases.values():
        if not isinstance(phase, dict):
            continue
        for key in ("commands", "finally"):
            value = phase.get(key)
            if isinstance(value, list):
                commands.extend(str(c) for c in value if c is not None)
            elif isinstance(value, str):
                commands.append(value)
    return commands


def analyse_buildspec(text: str | None) -> BuildspecInfo | None:
    """Analyse an inline buildspec; None when there is none (or it names a file in the source).

    A buildspec that is not valid YAML (e.g. a Go template with ``{{ }}``) is scanned as text.
    """
    if not text or not text.strip():
        return None
    stripped = text.strip()
    if "\n" not in stripped and re.fullmatch(r"[\w./-]+\.ya?ml", stripped):
        return None  # a path to a buildspec file in the source: not visible from the API
    cache_paths: list[str] = []
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError:
        doc = None
    if isinstance(doc, dict) and ("phases" in doc or "version" in doc):
        scan = analyse_commands(_buildspec_commands(doc))
        cache = _as_dict(doc.get("cache"))
        cache_paths = [str(p) for p in cache.get("paths") or []]
        parsed = True
    else:
        scan = analyse_commands(text)
        parsed = False
    kinds = sorted(scan.cache_kinds)
    return BuildspecInfo(
        docker_build=scan.docker_build,
        layer_cache=bool(kinds),
        cache_kinds=kinds,
        cache_paths=cache_paths,
        deploys_to_ecs=scan.deploys_to_ecs,
        parsed=parsed,
    )
