"""Helpers shared by several service modules of the simulation."""

from __future__ import annotations

from datetime import datetime
from typing import overload


@overload
def utc_naive(dt: datetime) -> datetime: ...
@overload
def utc_naive(dt: None) -> None: ...
@overload
def utc_naive(dt: datetime | None) -> datetime | None: ...
def utc_naive(dt: datetime | None) -> datetime | None:
    """moto keeps naive UTC datetimes (and compares them with request timestamps): store the same."""
    from datetime import UTC

    if dt is None or dt.tzinfo is None:
        return dt
    return dt.astimezone(UTC).replace(tzinfo=None)


def set_attrs(target: object, **attrs: object) -> None:
    """Set attributes that moto's classes do not declare, or declare with another type.

    Fill (A): a model object gets the fields moto leaves out (moto serialises an answer from the
    attributes named after the botocore shape's members, so each one becomes a field of the answer).
    Fill (B): a class gets a method it lacks, or a replacement answering in another form than the
    method it replaces (JSON text rather than moto's ``ActionResult``), or the ``_awsassess`` marker.
    Deliberate, so set with :func:`setattr` rather than as attributes the type checker would reject.
    """
    for name, value in attrs.items():
        setattr(target, name, value)
