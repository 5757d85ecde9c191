"""Garbage-collector settings for awsassess's own long-lived processes: collector workers (and the fork
server they fork from) and simulated-estate servers. The user's own process is left as it is.

Those processes hold a large heap that lives as long as they do (botocore models; moto's seeded
state) and make garbage that reference counting frees. With CPython's defaults, a gc callback on the
scale benchmark showed each worker pausing about 2 s per run (young collections of 10-40 ms, full ones
of 300+ ms) and the estate stopping every request for 0.4-0.5 s per full collection: every request in
flight waited behind them.
"""

from __future__ import annotations

import gc

# collect every 20,000 net allocations instead of 700; older generations after 20 of the younger
LONG_LIVED_GC_THRESHOLDS = (20_000, 20, 20)


def settle_heap(*, collect: bool = True) -> None:
    """Freeze what this process holds now out of the collector's scans (also after a fork: children
    never scan it nor copy its pages by touching their headers), and collect less often from now on.
    ``collect``: first free what is already garbage, so it is not frozen with the rest."""
    if collect:
        gc.collect()
    gc.freeze()
    gc.set_threshold(*LONG_LIVED_GC_THRESHOLDS)
