"""The cover-page facts of an account's report (client, account, environment, prepared by, date, logo)."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from typing import Any

from awsassess.layout import AccountFolder, ArtefactError
from awsassess.params import AccountParams, ParamsError, load_params_file


def meta_from_params(params: AccountParams, date: str | None = None) -> dict[str, Any]:
    return {
        "name": params.name,
        "account_id": params.account_id,
        "environment": params.environment,
        "client": params.report.client,
        "prepared_by": params.report.prepared_by,
        "logo": str(params.report.logo) if params.report.logo else None,
        "date": date or datetime.now(UTC).date().isoformat(),
    }


def account_meta(account_dir: AccountFolder | str | os.PathLike[str],
                 run_entry: dict[str, Any] | None = None) -> dict[str, Any]:
    """Meta for an existing account folder: from its params file (as recorded in run.json) or its snapshot."""
    entry = run_entry or {}
    params_path = entry.get("params")
    if params_path:
        try:
            return meta_from_params(load_params_file(params_path))
        except ParamsError:
            pass
    folder = AccountFolder.of(account_dir)
    try:
        manifest = folder.read_manifest(missing_ok=True)
    except ArtefactError:  # a damaged manifest costs the cover its facts, not the report
        manifest = {}
    return {
        "name": entry.get("name", manifest.get("name", folder.name)),
        "account_id": entry.get("account_id", manifest.get("account_id", "")),
        "environment": entry.get("environment", manifest.get("environment", "")),
        "client": "",
        "prepared_by": "",
        "logo": None,
        "date": datetime.now(UTC).date().isoformat(),
    }
