"""The offline price catalog: list prices with their source, date and confidence.

Rows live in ``awsassess/pricing/data/prices.csv`` (columns ``service,item,region,unit,usd,source,
as_of,confidence``), compiled from ``pricing-facts.md``. ``service`` is the AWS Price List service
code (``AmazonEC2``, ``AWSELB`` ...; ``GitHubActions`` for GitHub); ``item`` is a stable key such as
``nat_gateway_hour`` or ``instance_hour:m6g.large``; ``region`` is an AWS region, ``*`` (the same
price in every region), or a CloudFront edge geography (``north-america``, ``europe``).

Confidence: ``A`` from Price List-derived data or an official page; ``B`` a secondary source that
agrees with another; ``C`` a single secondary source (a placeholder: refresh before relying on it).

A refreshed cache (``awsassess prices refresh``, :mod:`awsassess.pricing.refresh`) overrides package
rows, carrying its own date. A price that is not in the catalog is never a silent zero: lookups raise
:class:`MissingPriceError`, and :class:`PriceLookup` collects every missing price of a computation
before raising once with the full list.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from importlib import resources
from pathlib import Path

import pandas as pd

COLUMNS = ["service", "item", "region", "unit", "usd", "source", "as_of", "confidence"]
CACHE_FILE = "prices.csv"
ANY_REGION = "*"


@dataclass(frozen=True)
class PriceRow:
    """One list price. ``usd`` is per ``unit``; ``origin`` says whether it came from the package or a cache."""

    service: str
    item: str
    region: str
    unit: str
    usd: float
    source: str
    as_of: str
    confidence: str
    origin: str = "package"

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.service, self.item, self.region)

    @property
    def citation(self) -> str:
        """``source (as_of) [confidence]``: what a cost line shows in ``price_source``."""
        return f"{self.source} ({self.as_of}) [{self.confidence}]"

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


@dataclass(frozen=True)
class MissingPrice:
    service: str
    item: str
    region: str
    needed_for: str = ""

    def __str__(self) -> str:
        what = f" (for {self.needed_for})" if self.needed_for else ""
        return f"{self.service} / {self.item} / {self.region}{what}"


class MissingPriceError(LookupError):
    """Prices the catalog does not hold; ``missing`` lists every one of them."""

    def __init__(self, missing: Iterable[MissingPrice]):
        unique: dict[tuple[str, str, str], MissingPrice] = {}
        for m in missing:
            unique.setdefault((m.service, m.item, m.region), m)
        self.missing = list(unique.values())
        lines = "\n".join(f"  - {m}" for m in self.missing)
        super().__init__(
            f"{len(self.missing)} price(s) missing from the catalog:\n{lines}\n"
            "Fix: run `awsassess prices refresh --region <region>` (AWS Price List API), or add the rows "
            f"(columns {','.join(COLUMNS)}) to the refreshed cache CSV, or set the model assumption "
            "allow_missing_prices: true to report these lines as unpriced (never as $0)."
        )


def default_cache_dir() -> Path:
    """Where ``prices refresh`` writes and ``PriceCatalog.load()`` looks: ``$AWSASSESS_PRICE_CACHE`` or
    ``~/.cache/awsassess/prices``."""
    env = os.environ.get("AWSASSESS_PRICE_CACHE")
    return Path(env) if env else Path.home() / ".cache" / "awsassess" / "prices"


def _read_rows(text_rows: Iterable[dict[str, str]], origin: str, where: str) -> Iterator[PriceRow]:
    for n, raw in enumerate(text_rows, start=2):
        missing = [c for c in COLUMNS if c not in raw or raw[c] is None]
        if missing:
            raise ValueError(f"{where}: line {n}: missing column(s) {missing}; expected {','.join(COLUMNS)}")
        try:
            usd = float(raw["usd"])
        except ValueError:
            raise ValueError(f"{where}: line {n}: usd={raw['usd']!r} is not a number") from None
        if usd < 0:
            raise ValueError(f"{where}: line {n}: usd={usd} is negative")
        conf = raw["confidence"].strip().upper()
        if conf not in {"A", "B", "C"}:
            raise ValueError(f"{where}: line {n}: confidence={raw['confidence']!r}; use A, B or C")
        yield PriceRow(raw["service"].strip(), raw["item"].strip(), raw["region"].strip(), raw["unit"].strip(),
                       usd, raw["source"].strip(), raw["as_of"].strip(), conf, origin)


@dataclass
class PriceCatalog:
    """Prices keyed by (service, item, region); region ``*`` rows answer for any region."""

    rows: dict[tuple[str, str, str], PriceRow] = field(default_factory=dict)
    cache_path: Path | None = None
    cache_as_of: str | None = None

    # ----------------------------------------------------------------- loading
    @classmethod
    def package(cls) -> PriceCatalog:
        """Only the rows shipped with awsassess (no cache)."""
        text = resources.files("awsassess.pricing").joinpath("data", CACHE_FILE).read_text(encoding="utf-8")
        rows = list(_read_rows(csv.DictReader(text.splitlines()), "package", "awsassess/pricing/data/prices.csv"))
        return cls(rows={r.key: r for r in rows})

    @classmethod
    def load(cls, cache_dir: str | os.PathLike[str] | None = None) -> PriceCatalog:
        """Package rows, overridden by a refreshed cache (``cache_dir/prices.csv``) when there is one.

        ``cache_dir`` defaults to :func:`default_cache_dir`; a missing cache is not an error.
        """
        catalog = cls.package()
        directory = Path(cache_dir) if cache_dir is not None else default_cache_dir()
        path = directory / CACHE_FILE
        if path.is_file():
            catalog.merge_csv(path, origin="cache")
        return catalog

    def merge_csv(self, path: Path, origin: str = "cache") -> None:
        with path.open(newline="", encoding="utf-8") as fh:
            rows = list(_read_rows(csv.DictReader(fh), origin, str(path)))
        for r in rows:
            self.rows[r.key] = r
        self.cache_path = path
        self.cache_as_of = max((r.as_of for r in rows), default=None)

    # ----------------------------------------------------------------- lookups
    def find(self, service: str, item: str, region: str) -> PriceRow | None:
        """The row for ``region``, else the any-region row, else None."""
        return self.rows.get((service, item, region)) or self.rows.get((service, item, ANY_REGION))

    def price(self, service: str, item: str, region: str) -> PriceRow:
        """The price row; raises :class:`MissingPriceError` when the catalog has none."""
        row = self.find(service, item, region)
        if row is None:
            raise MissingPriceError([MissingPrice(service, item, region)])
        return row

    def has(self, service: str, item: str, region: str) -> bool:
        return self.find(service, item, region) is not None

    def items(self, service: str, prefix: str = "", region: str | None = None) -> list[PriceRow]:
        """Rows of ``service`` whose item starts with ``prefix`` (and priced for ``region`` if given)."""
        out = [r for r in self.rows.values() if r.service == service and r.item.startswith(prefix)]
        if region is not None:
            out = [r for r in out if r.region in (region, ANY_REGION)]
            best: dict[str, PriceRow] = {}
            for r in sorted(out, key=lambda r: r.region == ANY_REGION):
                best.setdefault(r.item, r)
            out = list(best.values())
        return sorted(out, key=lambda r: (r.item, r.region))

    def low_confidence(self, levels: Iterable[str] = ("C",)) -> list[PriceRow]:
        """Rows whose confidence is in ``levels`` (default: only C, the placeholders)."""
        wanted = {lv.upper() for lv in levels}
        return sorted((r for r in self.rows.values() if r.confidence in wanted), key=lambda r: r.key)

    def frame(self, region: str | None = None, service: str | None = None) -> pd.DataFrame:
        rows = [r.to_dict() for r in self.rows.values()]
        df = pd.DataFrame(rows, columns=[*COLUMNS, "origin"])
        if region is not None:
            df = df[df["region"].isin([region, ANY_REGION])]
        if service is not None:
            df = df[df["service"].str.lower() == service.lower()]
        return df.sort_values(["service", "item", "region"]).reset_index(drop=True)

    def __len__(self) -> int:
        return len(self.rows)


class PriceLookup:
    """Collects every missing price of one computation, then raises once (``raise_missing``)."""

    def __init__(self, catalog: PriceCatalog):
        self.catalog = catalog
        self.missing: list[MissingPrice] = []
        self.used: dict[tuple[str, str, str], PriceRow] = {}

    def get(self, service: str, item: str, region: str, needed_for: str = "") -> PriceRow | None:
        row = self.catalog.find(service, item, region)
        if row is None:
            self.missing.append(MissingPrice(service, item, region, needed_for))
            return None
        self.used[row.key] = row
        return row

    def raise_missing(self) -> None:
        if self.missing:
            raise MissingPriceError(self.missing)


def write_rows(rows: Iterable[PriceRow], path: Path) -> Path:
    """Write rows in the catalog CSV format (used by refresh for the cache)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=COLUMNS)
        w.writeheader()
        for r in sorted(rows, key=lambda r: r.key):
            w.writerow({c: getattr(r, c) for c in COLUMNS})
    tmp.replace(path)
    return path
