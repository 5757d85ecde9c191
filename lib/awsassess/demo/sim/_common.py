"""Helpers shared by several service modules of the simulation."""

from __future__ import annotations

from datetime import datetime


def utc_naive(dt: datetime | None) -> datetime | None:
    """moto keeps naive UTC datetimes (and compares them with request timestamps): store the same."""
    from datetime import UTC

    if dt is None or dt.tzinfo is None:
        return dt
    return dt.astimezone(UTC).replace(tzinfo=None)
