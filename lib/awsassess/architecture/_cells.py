"""Short names for the snapshot cell readers of :mod:`awsassess.values`, and label helpers."""

from __future__ import annotations

import re
from typing import Any

from awsassess.values import json_list, json_obj, num, text, truthy

# the cell readers are awsassess.values' (one definition for every room); short names for the builders
s = text
b = truthy
jlist = json_list
jdict = json_obj


def i(value: Any, default: int = 0) -> int:
    """A whole-number cell as int (``default`` when missing or not a number)."""
    n = num(value)
    return default if n is None else int(n)


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
