"""The price keys of the catalog, spelled in one place: built by the model, read back by the savings.

A catalog row is found by (service, item, region); the item encodes what is priced, e.g.
``instance_hour:postgres:db.m6g.large`` or ``storage_gb_month:gp2:multi-az``. Before this module the cost
model spelled items inline in about twenty places and the per-finding savings re-priced a line by editing
its item text (``":gp2"`` -> ``":gp3"``, stripping ``":multi-az"``, ``":x86_64"`` -> ``":arm64"``). Now
the model builds every item with a :class:`PriceKey` and the savings parse a line's key and change a
named part (:meth:`PriceKey.with_`): the same grammar both ways, so a change of format cannot make the
two disagree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any

# kind -> (catalog service, item template); {multi_az} renders ":multi-az" or ""
FORMS: dict[str, tuple[str, str]] = {
    "ec2_instance": ("AmazonEC2", "instance_hour:{cls}"),
    "fargate_vcpu": ("AmazonECS", "fargate_vcpu_hour:{arch}"),
    "fargate_gb": ("AmazonECS", "fargate_gb_hour:{arch}"),
    "rds_instance": ("AmazonRDS", "instance_hour:{engine}:{cls}"),
    "rds_storage": ("AmazonRDS", "storage_gb_month:{storage}{multi_az}"),
    "rds_iops": ("AmazonRDS", "iops_month:{storage}{multi_az}"),
    "aurora_instance": ("AmazonRDS", "aurora_instance_hour:{cls}"),
    "aurora_iopt_instance": ("AmazonRDS", "aurora_iopt_instance_hour:{cls}"),
    "docdb_instance": ("AmazonDocDB", "instance_hour:{cls}"),
    "cache_node": ("AmazonElastiCache", "node_hour:{engine}:{cls}"),
    "build_minute": ("CodeBuild", "build_minute:{os}:{cls}"),
}
_PARTS = {"cls": r"[^:/]+", "arch": r"[a-z0-9_]+", "engine": r"[a-z0-9-]+", "storage": r"[a-z0-9]+",
          "os": r"[a-z0-9]+", "multi_az": r"(?::multi-az)?"}


def _pattern(template: str) -> re.Pattern[str]:
    out, pos = "", 0
    for m in re.finditer(r"\{(\w+)\}", template):
        out += re.escape(template[pos:m.start()]) + f"(?P<{m.group(1)}>{_PARTS[m.group(1)]})"
        pos = m.end()
    return re.compile("^" + out + re.escape(template[pos:]) + "$")


_PATTERNS = {kind: _pattern(t) for kind, (_, t) in FORMS.items()}


@dataclass(frozen=True)
class PriceKey:
    """A typed catalog key: ``kind`` (a :data:`FORMS` key) and its named parts."""

    kind: str
    parts: dict[str, Any] = field(default_factory=dict)

    @property
    def service(self) -> str:
        return FORMS[self.kind][0]

    @property
    def item(self) -> str:
        values = {k: v for k, v in self.parts.items()}
        if "multi_az" in _PATTERNS[self.kind].groupindex:
            values["multi_az"] = ":multi-az" if values.get("multi_az") else ""
        return FORMS[self.kind][1].format(**values)

    def with_(self, **changes: Any) -> PriceKey:
        """The same key with some parts changed (``key.with_(cls="db.m6g.large")``)."""
        unknown = set(changes) - set(_PATTERNS[self.kind].groupindex)
        if unknown:
            raise KeyError(f"{self.kind} has no part {sorted(unknown)}")
        return replace(self, parts={**self.parts, **changes})


def key(kind: str, **parts: Any) -> PriceKey:
    """Build a key: ``key("rds_instance", engine="postgres", cls="db.m5.large")``."""
    wanted = set(_PATTERNS[kind].groupindex)
    if set(parts) != wanted and set(parts) | {"multi_az"} != wanted:
        raise KeyError(f"{kind} needs {sorted(wanted)}, got {sorted(parts)}")
    return PriceKey(kind, dict(parts))


def parse(service: str, item: str) -> PriceKey | None:
    """The key a (service, item) was built from, or None for an item of another form. Where two forms of a
    service could match (EC2-like ``instance_hour:<cls>`` vs RDS ``instance_hour:<engine>:<cls>``), the
    service decides."""
    for kind, (svc, _) in FORMS.items():
        if svc != service:
            continue
        m = _PATTERNS[kind].match(item)
        if m:
            parts: dict[str, Any] = dict(m.groupdict())
            if "multi_az" in parts:
                parts["multi_az"] = bool(parts["multi_az"])
            return PriceKey(kind, parts)
    return None


def item(kind: str, **parts: Any) -> str:
    """Just the item text of :func:`key` (what ``Coster.add`` takes)."""
    return key(kind, **parts).item
