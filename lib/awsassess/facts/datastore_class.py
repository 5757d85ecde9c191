"""The class a database or cache should run on: one right-size, read by the rules and by the cost model.

Before this module the rules and the model each chose a data-store class their own way: DAT-003 moved
``db.m5.large`` to a fixed ``db.m7g.large`` while the model priced the cheapest Graviton class
(``db.m6g.large``); DAT-006 shrank ``db.t3.large`` to ``db.t3.medium`` while the model priced
``db.t4g.medium``; DAT-008 suggested ``db.t3.small``, a class DocumentDB does not offer. Now
:func:`target_class` decides, from the current class, the engine, the measured p95 CPU and the shared
assumptions, and both rooms state and price its answer.

The decision, in order:

1. **Graviton** (``shared.graviton_databases``): an Intel or previous-generation class moves to the
   Graviton family of the same letter (:data:`GRAVITON_FAMILY`: Graviton2 m6g/r6g/t4g, the lowest price per
   hour of the same size in every region the catalog holds; x2g for x; c7gn for cache c).
2. **One size down** when the p95 CPU is at or below ``shared.db_downsize_cpu_p95_pct`` (and, in production,
   only with ``shared.downsize_production_databases``), within the family and never below its smallest
   offered size (:data:`SMALLEST_SIZE`: ``large`` for m/r/x/c, ``medium`` for burstable t: memory, and the
   smallest DocumentDB class). Caches are not down-sized on CPU (their size follows memory).

:attr:`ClassTarget.candidates` lists what the model may price, best first: the target, then the other
Graviton generation, then the current class. The model prices the first candidate the catalog holds in
the region that costs less than today; when that is not the target it says so in its reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from awsassess.facts.assumptions import SharedAssumptions

Kind = Literal["db", "docdb", "cache"]

_CLASS = re.compile(r"^(?P<prefix>db|cache)\.(?P<family>[a-z]+)(?P<gen>\d+)(?P<attrs>[a-z-]*)\.(?P<size>\w+)$")

SIZES = ["micro", "small", "medium", "large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge",
         "16xlarge", "24xlarge"]
PREVIOUS_GENERATION = {"t1", "t2", "m1", "m2", "m3", "m4", "r3", "r4", "c1"}
GRAVITON_ENGINES = {"postgres", "mysql", "mariadb", "aurora-postgresql", "aurora-mysql", "aurora", "docdb",
                    "redis", "valkey", "memcached"}
# the Graviton family each class letter moves to, per kind of store (the first is the target)
GRAVITON_FAMILY: dict[str, dict[str, list[str]]] = {
    "db": {"m": ["m6g", "m7g"], "r": ["r6g", "r7g"], "t": ["t4g"], "x": ["x2g"]},
    "docdb": {"r": ["r6g"], "t": ["t4g"]},
    "cache": {"m": ["m6g", "m7g"], "r": ["r6g", "r7g"], "t": ["t4g"], "c": ["c7gn"]},
}
# the smallest size a down-sizing may reach per family letter (burstable: medium, others: large)
SMALLEST_SIZE = {"t": "medium", "m": "large", "r": "large", "x": "large", "c": "large"}


def parse_class(instance_class: str) -> dict[str, str] | None:
    """``db.m5.large`` -> prefix ``db``, family ``m``, gen ``5``, attrs ``""``, size ``large``."""
    m = _CLASS.match(str(instance_class or "").strip().lower())
    return m.groupdict() if m else None


def is_graviton(instance_class: str) -> bool:
    p = parse_class(instance_class)
    return bool(p and "g" in p["attrs"])


def generation(instance_class: str) -> str:
    """``db.m5.large`` -> ``m5`` ("" when the class is not recognised)."""
    p = parse_class(instance_class)
    return f"{p['family']}{p['gen']}" if p else ""


def is_previous_generation(instance_class: str) -> bool:
    return generation(instance_class) in PREVIOUS_GENERATION


def kind_of(instance_class: str, engine: str) -> Kind:
    """Which family table applies: DocumentDB, a cache node type or an RDS/Aurora class."""
    if str(engine).lower() == "docdb":
        return "docdb"
    p = parse_class(instance_class)
    return "cache" if p and p["prefix"] == "cache" else "db"


def graviton_families(instance_class: str, engine: str) -> list[str]:
    """The Graviton families (best first) the class may move to; [] when none or already Graviton."""
    p = parse_class(instance_class)
    if not p or is_graviton(instance_class) or str(engine).lower() not in GRAVITON_ENGINES:
        return []
    return list(GRAVITON_FAMILY[kind_of(instance_class, engine)].get(p["family"], []))


def one_size_down(size: str, family_letter: str) -> str | None:
    """The next smaller size within a family, or None at its smallest offered size."""
    floor = SMALLEST_SIZE.get(family_letter)
    if floor is None or size not in SIZES or SIZES.index(size) <= SIZES.index(floor):
        return None
    return SIZES[SIZES.index(size) - 1]


@dataclass(frozen=True)
class ClassTarget:
    """The class a store should run on, why, and what the model may price (best first)."""

    current: str
    target: str
    graviton: bool
    downsized: bool
    cpu_p95_pct: float | None
    candidates: tuple[str, ...]

    @property
    def changed(self) -> bool:
        return self.target != self.current

    def reason(self) -> str:
        """One line for a finding or a plan: ``db.t3.large -> db.t4g.medium: Graviton, one size down (p95 CPU 6%)``."""
        cpu = f" (p95 CPU {self.cpu_p95_pct:.0f}%)" if self.cpu_p95_pct is not None else ""
        if not self.changed:
            return "class kept" + cpu
        why = ", ".join(w for w, on in (("Graviton", self.graviton), ("one size down", self.downsized)) if on)
        return f"{self.current} -> {self.target}: {why or 'current generation'}" + (cpu if self.downsized else "")


def target_class(current: str, engine: str, *, cpu_p95: float | None, production: bool,
                 shared: SharedAssumptions) -> ClassTarget:
    """The class ``current`` (an RDS/Aurora/DocumentDB class or an ElastiCache node type) should move to.

    ``cpu_p95`` is the measured p95 CPU in % (None when unmeasured or too few datapoints: never down-sized);
    ``production`` whether the store's environment is a production one. Pure: no prices are read."""
    p = parse_class(current)
    if not p:
        return ClassTarget(current, current, False, False, cpu_p95, (current,))
    families = graviton_families(current, engine) if shared.graviton_databases else []
    family = families[0] if families else f"{p['family']}{p['gen']}{p['attrs']}"
    may_shrink = (kind_of(current, engine) != "cache" and cpu_p95 is not None
                  and cpu_p95 <= shared.db_downsize_cpu_p95_pct
                  and (not production or shared.downsize_production_databases))
    smaller = one_size_down(p["size"], p["family"]) if may_shrink else None
    size = smaller or p["size"]
    target = f"{p['prefix']}.{family}.{size}"
    others = [f"{p['prefix']}.{f}.{size}" for f in families[1:]]
    if smaller:
        others.append(f"{p['prefix']}.{p['family']}{p['gen']}{p['attrs']}.{smaller}")
    candidates = tuple(dict.fromkeys([target, *others, current]))
    return ClassTarget(current, target, bool(families), smaller is not None, cpu_p95, candidates)
