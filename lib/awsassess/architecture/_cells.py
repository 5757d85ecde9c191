"""Small readers for snapshot cells (None/NaN-safe strings, bools, ints, JSON lists) and label helpers."""

from __future__ import annotations

import math
import re
from typing import Any

from awsassess.tables import loads


def s(value: Any) -> str:
    """A cell as a string ('' for None / NaN / pandas NA)."""
    if value is None:
        return ""
    try:
        if isinstance(value, float) and math.isnan(value):
            return ""
        if value != value:  # pandas NA / NaT
            return ""
    except (TypeError, ValueError):
        pass
    return str(value)


def b(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes", "enabled")
    text = s(value)
    return bool(text) and bool(value)


def i(value: Any, default: int = 0) -> int:
    text = s(value)
    if not text:
        return default
    try:
        return int(float(text))
    except ValueError:
        return default


def jlist(value: Any) -> list[Any]:
    """A JSON-list cell (or an already-decoded list) as a list."""
    if isinstance(value, (list, tuple)):
        return list(value)
    if hasattr(value, "tolist") and not isinstance(value, str):
        return list(value.tolist())
    try:
        out = loads(s(value) or None)
    except (ValueError, TypeError):
        return []
    return list(out) if isinstance(out, (list, tuple)) else []


def jdict(value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        return value
    try:
        out = loads(s(value) or None)
    except (ValueError, TypeError):
        return {}
    return out if isinstance(out, dict) else {}


def rows(df: Any) -> list[dict[str, Any]]:
    return df.to_dict("records") if len(df) else []


def gib(mib: int) -> str:
    gb = mib / 1024
    return f"{gb:g} GB" if gb >= 1 else f"{mib} MB"


def vcpu(units: int) -> str:
    v = units / 1024
    return f"{v:g} vCPU"


def duration(seconds: float) -> str:
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60:02d} min"


_SLUG = re.compile(r"[^a-z0-9]+")


def slug(text: str) -> str:
    return _SLUG.sub("-", text.lower()).strip("-")[:60]
