"""Params files: one YAML file per account (see README "Params file" and ../shared/INTERFACE.md).

``load_params_files(paths)`` validates every file before anything starts and raises
:class:`ParamsError` whose message names the file, the field and the fix, e.g.::

    params/prod.yaml: account_id: 012345670123 was read by YAML as the octal number 1402433619.
      Fix: quote it: account_id: "012345670123"
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from awsassess.images import check_logo
from awsassess.layout import RESERVED_RUN_FOLDERS, RunFolder

NAME_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
# folders a run keeps beside the accounts' own: an account of that name would merge with them
RESERVED_NAMES = RESERVED_RUN_FOLDERS


class AccountNameError(ValueError):
    """An account name that cannot be an account's folder: ``reason`` and ``fix`` kept apart, so a caller that
    knows where the name came from (:meth:`awsassess.layout.RunFolder.account`) can say so with one Fix."""

    def __init__(self, reason: str, fix: str) -> None:
        self.reason, self.fix = reason, fix
        super().__init__(f"{reason}. Fix: {fix}")


def check_account_name(name: str) -> str:
    """``name`` if it can be an account's folder under --out, else :class:`AccountNameError` naming the fix.

    Used for params files and for every name read back from a run.json (a run.json is data someone
    may have edited: ``../victim/acme-prod`` once overwrote another client's report)."""
    if not isinstance(name, str) or not NAME_RE.match(name):
        raise AccountNameError(f"{name!r} must be 1 to 64 lowercase letters, digits and '-', starting and ending "
                               "with a letter or digit", "use a name such as acme-prod")
    if name in RESERVED_NAMES:
        raise AccountNameError(f"{name!r} is the name of a folder every run keeps "
                               f"({', '.join(sorted(RESERVED_NAMES))})", f"choose another name, e.g. {name}-account")
    return name


def account_folder(run_dir: Path, name: Any) -> Path:
    """``run_dir/name`` for an account name read back from run.json: validated like a params name and
    resolving inside ``run_dir`` (not through a link elsewhere). Raises ValueError naming the fix.
    (:meth:`awsassess.layout.RunFolder.account`, as a path.)"""
    return RunFolder(run_dir).account(name, from_run_json=True).path


ACCOUNT_RE = re.compile(r"^\d{12}$")
ROLE_ARN_RE = re.compile(r"^arn:aws(?:-cn|-us-gov)?:iam::(\d{12}):role/[\w+=,.@/-]{1,512}$")

# Commercial regions (opt-in ones included; a disabled opt-in region is recorded at collection, not here).
KNOWN_REGIONS = frozenset(
    """af-south-1 ap-east-1 ap-east-2 ap-northeast-1 ap-northeast-2 ap-northeast-3 ap-south-1 ap-south-2
    ap-southeast-1 ap-southeast-2 ap-southeast-3 ap-southeast-4 ap-southeast-5 ap-southeast-7 ca-central-1
    ca-west-1 eu-central-1 eu-central-2 eu-north-1 eu-south-1 eu-south-2 eu-west-1 eu-west-2 eu-west-3
    il-central-1 me-central-1 me-south-1 mx-central-1 sa-east-1 us-east-1 us-east-2 us-west-1 us-west-2
    us-gov-east-1 us-gov-west-1 cn-north-1 cn-northwest-1""".split()
)


class ParamsError(Exception):
    """Bad params input. The message names the file, the field and the fix."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AuthParams(_Strict):
    """How to reach the account. All optional: the default is the standard AWS credential chain."""

    profile: str | None = Field(default=None, description="AWS CLI profile (SSO profiles included)")
    role_arn: str | None = Field(default=None, description="role to assume in the audited account")
    external_id: str | None = Field(default=None, description="sts:ExternalId required by the role's trust policy")
    endpoint_url: str | None = Field(default=None, description="custom endpoint: a simulated estate (moto) or LocalStack")

    @field_validator("role_arn")
    @classmethod
    def _role_arn(cls, v: str | None) -> str | None:
        if v is not None and not ROLE_ARN_RE.match(v):
            raise ValueError(
                f"{v!r} is not an IAM role ARN. Fix: use arn:aws:iam::<12-digit account>:role/<RoleName>"
            )
        return v

    @field_validator("endpoint_url")
    @classmethod
    def _endpoint(cls, v: str | None) -> str | None:
        if v is not None and not re.match(r"^https?://[^\s/]+", v):
            raise ValueError(f"{v!r} is not an http(s) URL. Fix: e.g. http://127.0.0.1:5000")
        return v


class ReportParams(_Strict):
    """Branding of the client report."""

    client: str = Field(default="", description="client name on the cover")
    prepared_by: str = Field(default="", description="consultancy name on the cover")
    logo: Path | None = Field(default=None, description="optional path to a PNG/SVG logo (relative to the params file)")


class CollectOptions(_Strict):
    """What and how much to collect."""

    lookback_days: int = Field(default=30, ge=1, le=90, description="pipeline/build/deployment history, days")
    metrics_days: int = Field(default=14, ge=1, le=63, description="CloudWatch history, days")
    metrics_period_s: int = Field(default=3600, ge=60, description="CloudWatch period, seconds")
    cost_explorer: bool = Field(default=True, description="read Cost Explorer spend (costs $0.01 per API request)")
    concurrency: int = Field(default=16, ge=1, le=128, description="parallel API calls per account")
    processes: int | str = Field(default="auto", description="processes sharing those calls: auto (one per CPU core, "
                                 "at most 4, at least 4 calls each) or a number; 1 = collect in one process")
    stopped_tasks: bool = Field(default=True, description="read recently stopped ECS tasks and their reasons")

    @field_validator("processes", mode="before")
    @classmethod
    def _processes(cls, v: Any) -> int | str:
        if v == "auto":
            return v
        if isinstance(v, bool) or not isinstance(v, int) or not 1 <= v <= 32:
            raise ValueError(f"{v!r}: use auto or a whole number from 1 to 32 (1 = one process)")
        return v


class AccountParams(_Strict):
    """One account to assess."""

    name: str = Field(description="[a-z0-9-]+; the account's folder under --out")
    account_id: str = Field(description='12 digits, quoted in YAML: "123456789012"')
    environment: str = Field(default="production", description="free label: production, staging, ...")
    regions: list[str] = Field(description="regions to inventory")
    auth: AuthParams = Field(default_factory=AuthParams)
    report: ReportParams = Field(default_factory=ReportParams)
    collect: CollectOptions = Field(default_factory=CollectOptions)
    github_repo: Path | None = Field(default=None, description="local checkout whose .github/workflows are assessed "
                                     "(relative to the params file)")
    assumptions: dict[str, Any] = Field(default_factory=dict, description="overrides of the model's defaults")
    source: Path | None = Field(default=None, exclude=True, description="the params file this came from")

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        return check_account_name(v)

    @field_validator("account_id", mode="before")
    @classmethod
    def _account(cls, v: Any) -> str:
        if isinstance(v, bool) or not isinstance(v, str | int):
            raise ValueError(f"expected 12 digits in quotes, got {v!r}")
        if isinstance(v, int):
            raise ValueError(
                f"{v} was read by YAML as a number (an unquoted id loses leading zeros, and one made of "
                f'digits 0-7 after a leading 0 is read as octal). Fix: quote it: account_id: "<12 digits>"'
            )
        if not ACCOUNT_RE.match(v):
            raise ValueError(f"{v!r} has {len(v)} characters; an AWS account id is exactly 12 digits")
        return v

    @field_validator("regions")
    @classmethod
    def _regions(cls, v: list[str]) -> list[str]:
        if not v:
            raise ValueError("no regions given. Fix: e.g. regions: [us-east-1]")
        unknown = [r for r in v if r not in KNOWN_REGIONS]
        if unknown:
            raise ValueError(f"unknown region(s) {unknown}. Fix: use region codes such as us-east-1, eu-west-1")
        if len(set(v)) != len(v):
            raise ValueError("a region is listed twice")
        return v

    @model_validator(mode="after")
    def _consistent(self) -> AccountParams:
        arn = self.auth.role_arn
        if arn:
            arn_account = ROLE_ARN_RE.match(arn).group(1)  # type: ignore[union-attr]
            if arn_account != self.account_id:
                raise ValueError(
                    f"auth.role_arn is in account {arn_account} but account_id is {self.account_id}. "
                    "Fix: assume a role in the audited account"
                )
        if self.auth.external_id and not arn:
            raise ValueError("auth.external_id is set without auth.role_arn. Fix: add the role to assume")
        return self

    @field_validator("assumptions")
    @classmethod
    def _assumptions(cls, v: dict[str, Any]) -> dict[str, Any]:
        if not v:
            return v
        from awsassess.assumptions import Assumptions

        try:
            Assumptions.model_validate(v)
        except ValidationError as exc:
            problems = []
            for e in exc.errors():
                key = ".".join(str(p) for p in e["loc"])
                why = "unknown assumption" if e["type"] == "extra_forbidden" else e["msg"]
                problems.append(f"{key}: {why}")
            raise ValueError(
                "; ".join(problems) + ". Fix: `awsassess assumptions` lists every key with its default"
            ) from None
        return v


def _octal_trap(text: str) -> str | None:
    """Spot ``account_id: 0123...`` written without quotes (YAML 1.1 reads it as octal or int)."""
    m = re.search(r"^\s*account_id:\s*(\d+)\s*(#.*)?$", text, re.M)
    if m:
        return m.group(1)
    return None


def _format_error(path: Path, err: ValidationError, text: str) -> str:
    lines = [f"{path}: invalid params ({err.error_count()} problem{'s' if err.error_count() > 1 else ''})"]
    for e in err.errors():
        loc = ".".join(str(p) for p in e["loc"]) or "(file)"
        msg = e["msg"].removeprefix("Value error, ")
        if e["type"] == "extra_forbidden":
            msg = "unknown key. Fix: remove it or check the spelling against the README's params reference"
        elif e["type"] == "missing":
            msg = "required field is missing. Fix: add it (see the README's params reference)"
        if loc == "account_id":
            raw = _octal_trap(text)
            if raw is not None:
                msg = (
                    f"account_id: {raw} is not quoted, so YAML reads it as the number {e.get('input')!r}. "
                    f'Fix: quote it: account_id: "{raw}"'
                )
        lines.append(f"  {loc}: {msg}")
    return "\n".join(lines)


def _resolve_against(value: Path, params_file: Path) -> Path:
    """``value`` as an absolute path: ``~`` expanded, a relative path taken from the params file's folder
    (an absolute one is kept as written)."""
    value = value.expanduser()
    return value if value.is_absolute() else (params_file.parent / value).resolve()


def _resolve_relative_paths(params: AccountParams, params_file: Path) -> AccountParams:
    """``github_repo`` and ``report.logo`` made absolute, once, when the file is loaded.

    A relative path in a params file means "next to this file" whatever the working directory of the
    run, its worker processes or its notebook kernels (each account's kernel runs in its own folder).
    Resolving it here, and only here, means every later reader (the collectors, the report, the resume
    digests of :mod:`awsassess.batch.plan`) sees the same absolute path.
    """
    update: dict[str, Any] = {}
    if params.github_repo is not None:
        update["github_repo"] = _resolve_against(params.github_repo, params_file)
    if params.report.logo is not None:
        update["report"] = params.report.model_copy(
            update={"logo": _resolve_against(params.report.logo, params_file)})
    return params.model_copy(update=update) if update else params


def load_params_file(path: str | Path) -> AccountParams:
    p = Path(path)
    if not p.is_file():
        raise ParamsError(f"{p}: no such params file. Fix: check the path (params files live in params/*.yaml)")
    text = p.read_text(encoding="utf-8")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ParamsError(f"{p}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise ParamsError(f"{p}: expected a mapping of fields (name, account_id, regions, ...), got {type(data).__name__}")
    try:
        params = AccountParams.model_validate({**data, "source": p})
    except ValidationError as exc:
        raise ParamsError(_format_error(p, exc, text)) from None
    params = _resolve_relative_paths(params, p)
    if params.report.logo is not None:  # judged by content now, not after all the work
        try:
            check_logo(params.report.logo)
        except ValueError as exc:
            raise ParamsError(f"{p}: report.logo: {exc}") from None
    if params.github_repo is not None and not params.github_repo.is_dir():
        raise ParamsError(f"{p}: github_repo: {params.github_repo} is not a folder. Fix: give the path of a local "
                          "checkout (relative to the params file), or remove github_repo")
    return params


def load_params_files(paths: Iterable[str | Path]) -> list[AccountParams]:
    """Validate every file; raise one ParamsError listing every problem (nothing is started)."""
    paths = list(paths)
    if not paths:
        raise ParamsError("no params files given. Fix: pass one or more params/*.yaml files")
    problems: list[str] = []
    loaded: list[AccountParams] = []
    for path in paths:
        try:
            loaded.append(load_params_file(path))
        except ParamsError as exc:
            problems.append(str(exc))
    seen: dict[str, Path | None] = {}
    for params in loaded:
        if params.name in seen:
            problems.append(
                f"{params.source}: name: {params.name!r} is also used by {seen[params.name]}. "
                "Fix: give each account a unique name (it is its output folder)"
            )
        seen.setdefault(params.name, params.source)
    if problems:
        raise ParamsError("\n".join(problems))
    return loaded


class _Quoted(str):
    """A string always written in double quotes (account ids: YAML would read some as numbers)."""


class _ParamsDumper(yaml.SafeDumper):
    pass


_ParamsDumper.add_representer(_Quoted, lambda d, v: d.represent_scalar("tag:yaml.org,2002:str", v, style='"'))


def dump_params(params: AccountParams) -> str:
    """YAML text for a params file, account id always quoted."""
    data = params.model_dump(mode="json", exclude={"source"})
    data["account_id"] = _Quoted(data["account_id"])
    return yaml.dump(data, Dumper=_ParamsDumper, sort_keys=False)
