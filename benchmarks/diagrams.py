"""Render time and output size of the architecture diagrams at 30, 300 and 1,000 ECS services.

    .venv/bin/python benchmarks/diagrams.py [--sizes 30 300 1000] [--per-vpc 10] [--out DIR]

Estates are built by ``snapshot_for`` of the test fixture ``tests/architecture_sample.py`` from a
scaled copy of the production spec (``--per-vpc`` services per VPC, a peering star, data stores,
CloudFront, CI/CD).
For each size it prints: graph build time, overview render time (PNG + SVG), detail pages and their
time, node counts before/after aggregation, PNG pixels and file sizes.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

# this file is named like the `diagrams` library: keep its folder off the import path
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
# the sample estate is a test fixture (tests/architecture_sample.py): its folder goes *after* every
# existing entry, so nothing in tests/ can shadow an installed package
sys.path.append(str(Path(__file__).resolve().parents[1] / "tests"))

from architecture_sample import scaled_spec, snapshot_for  # noqa: E402
from awsassess.architecture import aggregate, current_graph, proposed_graph, render  # noqa: E402
from PIL import Image  # noqa: E402


def kib(path: Path) -> str:
    return f"{path.stat().st_size / 1024:,.0f} KiB"


def run(n: int, per_vpc: int, out: Path) -> None:
    snap = snapshot_for(scaled_spec(n), services_per_vpc=per_vpc)
    t0 = time.perf_counter()
    cur = current_graph(snap)
    prop = proposed_graph(snap)
    t_build = time.perf_counter() - t0
    for graph in (cur, prop):
        over, touched = aggregate.overview(graph)
        t0 = time.perf_counter()
        files = render(graph, out / f"{n}-{graph.name}")
        t_render = time.perf_counter() - t0
        pages = sorted({k.rsplit(".", 1)[0] for k in files if k not in ("png", "svg")})
        page_bytes = sum(p.stat().st_size for k, p in files.items() if k not in ("png", "svg"))
        w, h = Image.open(files["png"]).size
        print(f"{n:>5} services | {graph.name:<8} | build {t_build:5.2f} s | render {t_render:6.2f} s "
              f"(overview + {len(pages)} VPC pages) | nodes {len(graph.nodes):>5} -> {len(over.nodes):>3} | "
              f"png {w}x{h} {kib(files['png'])} | svg {kib(files['svg'])} | pages {page_bytes / 1024:,.0f} KiB")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[30, 300, 1000])
    ap.add_argument("--per-vpc", type=int, default=10, help="services per VPC (default 10)")
    ap.add_argument("--out", type=Path, default=None, help="keep the files here (default: a temporary folder)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="awsassess-bench-diagrams-") as tmp:
        out = args.out or Path(tmp)
        out.mkdir(parents=True, exist_ok=True)
        for n in args.sizes:
            run(n, args.per_vpc, out)


if __name__ == "__main__":
    main()
