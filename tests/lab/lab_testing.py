"""Helpers of the JupyterLab tests (the fixtures are in tests/lab/conftest.py)."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import yaml

#: the hand-built demo accounts: name -> (environment, account id)
ACCOUNTS = {"fintech-production": ("production", "222222222222"), "fintech-staging": ("staging", "111111111111")}


def params_text(name: str, assumptions: dict[str, Any] | None) -> str:
    """A valid params file of a demo account with this ``assumptions:`` block."""
    env, account_id = ACCOUNTS[name]
    doc = {"name": name, "account_id": account_id, "environment": env, "regions": ["us-east-1"],
           "assumptions": assumptions or {}}
    return yaml.safe_dump(doc, sort_keys=False)


def tree_digest(folder: Path) -> dict[str, str]:
    """Every file below ``folder`` (relative path -> sha256 and mtime): what "unchanged" compares."""
    return {str(p.relative_to(folder)): f"{hashlib.sha256(p.read_bytes()).hexdigest()}:{p.stat().st_mtime_ns}"
            for p in sorted(folder.rglob("*")) if p.is_file()}
