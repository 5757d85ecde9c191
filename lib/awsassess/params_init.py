"""``awsassess params init``: write params files for accounts instead of typing them.

- :func:`from_organization` lists an AWS Organization's ACTIVE accounts (``organizations:ListAccounts``,
  paginated; works from the management account or a delegated administrator) and writes one params
  file per account, which assumes ``arn:aws:iam::<id>:role/<role_name>`` from the management
  credentials (``management_profile`` or the default chain);
- :func:`from_profile` writes one file for the account a profile reaches (``sts:GetCallerIdentity``).

Files are ``<out_dir>/<name>.yaml`` with ``name`` slugified from the account name (``[a-z0-9-]``,
unique within the run) and the account id quoted. Every file is validated with
:class:`awsassess.params.AccountParams` before anything is written; existing files are refused
unless ``force=True`` (checked for the whole set before the first write); each file is written to
a temporary sibling and renamed, so no file is ever half-written.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import boto3
import yaml
from botocore.exceptions import BotoCoreError, ClientError

from awsassess.guard import install_guard
from awsassess.params import AccountParams

__all__ = ["ParamsInitError", "account_params", "from_organization", "from_profile", "guess_environment", "slugify"]

DEFAULT_ROLE_NAME = "AssessmentReadOnly"
DEFAULT_REGIONS = ("us-east-1",)
_MAX_NAME = 64


class ParamsInitError(ValueError):
    """The accounts could not be listed, or the files could not be written. The message names the fix.

    A ``ValueError``, so callers that treat bad input as ``ValueError`` (the CLI: exit 2) handle it.
    """


# ------------------------------------------------------------------------------- naming
def slugify(text: str, fallback: str = "account") -> str:
    """``"Fintech Production (EU)"`` -> ``"fintech-production-eu"``: [a-z0-9-], at most 64 characters."""
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    slug = slug[:_MAX_NAME].rstrip("-")
    return slug or fallback


def guess_environment(name: str) -> str:
    """A free-text environment label from an account name (``unknown`` when nothing matches)."""
    words = set(re.split(r"[^a-z0-9]+", name.lower()))
    for label, keys in (("production", {"prod", "production", "prd", "live"}),
                        ("staging", {"staging", "stage", "stg", "preprod", "uat"}),
                        ("development", {"dev", "development", "develop"}),
                        ("test", {"test", "testing", "qa"}),
                        ("sandbox", {"sandbox", "sbx", "playground"}),
                        ("shared", {"shared", "security", "audit", "log", "logs", "logging", "network",
                                    "management", "master", "root"})):
        if words & keys:
            return label
    return "unknown"


def _unique_names(accounts: list[dict[str, str]]) -> list[str]:
    names: list[str] = []
    for acct in accounts:
        base = slugify(acct.get("Name", ""), fallback=f"account-{acct['Id']}")
        name = base
        if name in names:
            suffix = f"-{acct['Id'][-4:]}"
            name = base[: _MAX_NAME - len(suffix)].rstrip("-") + suffix
        if name in names:
            name = f"account-{acct['Id']}"
        names.append(name)
    return names


# ------------------------------------------------------------------------------- params
def account_params(*, name: str, account_id: str, regions: Sequence[str], environment: str | None = None,
                   profile: str | None = None, role_arn: str | None = None, external_id: str | None = None,
                   endpoint_url: str | None = None, client: str = "", prepared_by: str = "") -> AccountParams:
    """A validated :class:`AccountParams` (raises ``ValueError`` naming the field on bad input)."""
    auth = {k: v for k, v in {"profile": profile, "role_arn": role_arn, "external_id": external_id,
                              "endpoint_url": endpoint_url}.items() if v}
    return AccountParams.model_validate({
        "name": name, "account_id": account_id, "environment": environment or guess_environment(name),
        "regions": list(regions), "auth": auth, "report": {"client": client, "prepared_by": prepared_by},
    })


def params_yaml(params: AccountParams, header: str = "") -> str:
    """The params file text: only the fields that matter, account id quoted."""
    auth = {k: v for k, v in params.auth.model_dump(mode="json").items() if v}
    data: dict[str, Any] = {
        "name": params.name, "account_id": params.account_id, "environment": params.environment,
        "regions": list(params.regions), "auth": auth,
        "report": {"client": params.report.client, "prepared_by": params.report.prepared_by, "logo": None},
        "assumptions": {},
    }
    body = yaml.safe_dump(data, sort_keys=False, default_flow_style=False, width=120)
    # quote the account id explicitly (safe_dump already quotes digit strings; make it unmistakable)
    body = re.sub(r"^account_id: .*$", f'account_id: "{params.account_id}"', body, count=1, flags=re.M)
    # regions on one line, as in the README (region codes are plain YAML scalars)
    body = re.sub(r"^regions:\n(?:- .*\n)+", f"regions: [{', '.join(params.regions)}]\n", body, count=1, flags=re.M)
    prefix = "".join(f"# {line}\n" if line else "#\n" for line in header.splitlines())
    return prefix + body


def _write_all(files: dict[Path, str], force: bool) -> list[Path]:
    existing = [p for p in files if p.exists()]
    if existing and not force:
        raise ParamsInitError(
            f"{len(existing)} params file(s) already exist: {', '.join(str(p) for p in existing)}. "
            "Nothing was written. Fix: choose another --out folder, delete them, or pass --force to overwrite."
        )
    written = []
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        written.append(path)
    return written


# ------------------------------------------------------------------------------- sessions
def _session(profile: str | None) -> boto3.Session:
    try:
        session = boto3.Session(profile_name=profile) if profile else boto3.Session()
    except BotoCoreError as exc:
        raise ParamsInitError(f"profile {profile!r}: {exc}. Fix: --profile must name a profile in ~/.aws/config") from exc
    install_guard(session)  # read-only: refuse anything that is not a read
    return session


def _client(session: boto3.Session, service: str, endpoint_url: str | None) -> Any:
    kwargs: dict[str, Any] = {"region_name": session.region_name or "us-east-1"}
    if endpoint_url:
        kwargs["endpoint_url"] = endpoint_url
    return session.client(service, **kwargs)


def _explain(exc: Exception, what: str) -> ParamsInitError:
    code = exc.response.get("Error", {}).get("Code", "") if isinstance(exc, ClientError) else type(exc).__name__
    hint = {
        "AWSOrganizationsNotInUseException": "this account is not in an AWS Organization; use --profile per account",
        "AccessDeniedException": "run it with the management account or a delegated administrator, with "
                                 "organizations:ListAccounts allowed",
        "AccessDenied": "allow organizations:ListAccounts for these credentials",
    }.get(code, "check the credentials (--profile) and that they can reach AWS")
    return ParamsInitError(f"{what} failed: {exc}. Fix: {hint}.")


# ------------------------------------------------------------------------------- entry points
def list_active_accounts(management_profile: str | None = None, endpoint_url: str | None = None) -> list[dict[str, str]]:
    """ACTIVE accounts of the organization (``Id``, ``Name``, ``Email``, ``Arn``), sorted by name."""
    org = _client(_session(management_profile), "organizations", endpoint_url)
    accounts: list[dict[str, str]] = []
    try:
        for page in org.get_paginator("list_accounts").paginate():
            accounts.extend(page.get("Accounts", []))
    except (ClientError, BotoCoreError) as exc:
        raise _explain(exc, "organizations:ListAccounts") from exc
    # `State` replaces the deprecated `Status` (ACTIVE | SUSPENDED | PENDING_CLOSURE | CLOSED)
    active = [a for a in accounts if (a.get("State") or a.get("Status") or "").upper() == "ACTIVE"]
    return sorted(active, key=lambda a: (a.get("Name", "").lower(), a["Id"]))


def from_organization(management_profile: str | None = None, role_name: str = DEFAULT_ROLE_NAME,
                      external_id: str | None = None, endpoint_url: str | None = None,
                      regions: Sequence[str] = DEFAULT_REGIONS, out_dir: str | Path = "params", *,
                      force: bool = False, client: str = "", prepared_by: str = "") -> list[Path]:
    """One params file per ACTIVE account of the organization; returns the files written."""
    accounts = list_active_accounts(management_profile, endpoint_url)
    if not accounts:
        raise ParamsInitError(
            "organizations:ListAccounts returned no ACTIVE account; nothing was written. Fix: use the "
            "credentials of the organization's management account or a delegated administrator "
            "(--profile), or write one file per account with --profile alone")
    out = Path(out_dir)
    files: dict[Path, str] = {}
    for acct, name in zip(accounts, _unique_names(accounts), strict=True):
        partition = acct.get("Arn", "arn:aws:").split(":")[1] or "aws"
        try:
            params = account_params(
                name=name, account_id=acct["Id"], regions=regions, profile=management_profile,
                role_arn=f"arn:{partition}:iam::{acct['Id']}:role/{role_name}", external_id=external_id,
                endpoint_url=endpoint_url, client=client, prepared_by=prepared_by)
        except ValueError as exc:
            raise ParamsInitError(f"account {acct['Id']} ({acct.get('Name', '')}): {exc}") from exc
        header = (f"awsassess params for {acct.get('Name', name)} ({acct['Id']}), from the organization's "
                  f"account list.\nThe assessment assumes {params.auth.role_arn}; create it with "
                  "`awsassess iam-policy`.")
        files[out / f"{name}.yaml"] = params_yaml(params, header)
    return _write_all(files, force)


def from_profile(profile: str | None, regions: Sequence[str] = DEFAULT_REGIONS, out_dir: str | Path = "params", *,
                 name: str | None = None, environment: str | None = None, endpoint_url: str | None = None,
                 force: bool = False, client: str = "", prepared_by: str = "") -> Path:
    """One params file for the account ``profile`` reaches (None: the default credential chain)."""
    session = _session(profile)
    try:
        ident = _client(session, "sts", endpoint_url).get_caller_identity()
    except (ClientError, BotoCoreError) as exc:
        raise _explain(exc, "sts:GetCallerIdentity") from exc
    account_id = str(ident["Account"])
    slug = slugify(name or profile or "", fallback=f"account-{account_id}")
    try:
        params = account_params(name=slug, account_id=account_id, regions=regions, environment=environment,
                                profile=profile, endpoint_url=endpoint_url, client=client, prepared_by=prepared_by)
    except ValueError as exc:
        raise ParamsInitError(f"profile {profile!r}: {exc}") from exc
    header = f"awsassess params for account {account_id}, reached as {ident.get('Arn', '?')}."
    return _write_all({Path(out_dir) / f"{slug}.yaml": params_yaml(params, header)}, force)[0]
