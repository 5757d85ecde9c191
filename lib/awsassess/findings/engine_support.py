"""End of standard support per engine major version (after it: paid Extended Support or forced upgrade).

A small dated table; refresh it from ``aws rds describe-db-major-engine-versions`` (RDS/Aurora,
``SupportedEngineLifecycles``) and the ElastiCache/DocumentDB release calendars. Versions not listed
are treated as supported (no finding), never guessed.
"""

from __future__ import annotations

import re
from datetime import date

TABLE_AS_OF = date(2026, 11, 1)

# engine -> {major version -> end of standard support}
END_OF_STANDARD_SUPPORT: dict[str, dict[str, date]] = {
    # Amazon RDS for PostgreSQL release calendar
    "postgres": {"11": date(2024, 2, 29), "12": date(2025, 2, 28), "13": date(2026, 2, 28),
                 "14": date(2027, 2, 28), "15": date(2028, 2, 29), "16": date(2029, 2, 28),
                 "17": date(2030, 2, 28)},
    # Amazon RDS for MySQL: supported major versions
    "mysql": {"5.7": date(2024, 2, 29), "8.0": date(2026, 7, 31), "8.4": date(2029, 7, 31)},
    # Aurora PostgreSQL release calendar (same dates as RDS for these majors)
    "aurora-postgresql": {"11": date(2024, 2, 29), "12": date(2025, 2, 28), "13": date(2026, 2, 28),
                          "14": date(2027, 2, 28), "15": date(2028, 2, 29), "16": date(2029, 2, 28)},
    # Aurora MySQL version 2 (MySQL 5.7 compatible): engine versions look like 5.7.mysql_aurora.2.x
    "aurora-mysql": {"5.7": date(2024, 10, 31)},
    # ElastiCache for Redis OSS 4 and 5: Extended Support from 2026-02-01
    "redis": {"4": date(2026, 1, 31), "5": date(2026, 1, 31)},
}

_ALIASES = {"aurora": "aurora-mysql", "postgresql": "postgres"}


def major_version(engine: str, version: str) -> str:
    """The major version as the table keys it: '14' for PostgreSQL 14.9, '8.0' for MySQL 8.0.35, '5' for Redis 5.0.6."""
    engine = _ALIASES.get(engine, engine)
    v = str(version or "").strip()
    if engine in {"mysql", "aurora-mysql"}:
        m = re.match(r"(\d+\.\d+)", v)
        return m.group(1) if m else ""
    m = re.match(r"(\d+)", v)
    return m.group(1) if m else ""


def end_of_standard_support(engine: str, version: str) -> date | None:
    engine = _ALIASES.get(str(engine or "").lower(), str(engine or "").lower())
    return END_OF_STANDARD_SUPPORT.get(engine, {}).get(major_version(engine, version))
