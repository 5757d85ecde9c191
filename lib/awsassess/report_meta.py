"""The cover-page facts of an account's report (client, account, environment, prepared by, date, logo)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

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


def account_meta(account_dir: Path, run_entry: dict[str, Any] | None = None) -> dict[str, Any]:
    """Meta for an existing account folder: from its params file (as recorded in run.json) or its snapshot."""
    entry = run_entry or {}
    params_path = entry.get("params")
    if params_path:
        try:
            return meta_from_params(load_params_file(params_path))
        except ParamsError:
            pass
    manifest_path = Path(account_dir) / "snapshot" / "manifest.json"
    manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else {}
    return {
        "name": entry.get("name", manifest.get("name", Path(account_dir).name)),
        "account_id": entry.get("account_id", manifest.get("account_id", "")),
        "environment": entry.get("environment", manifest.get("environment", "")),
        "client": "",
        "prepared_by": "",
        "logo": None,
        "date": datetime.now(UTC).date().isoformat(),
    }
