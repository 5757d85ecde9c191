"""Which NAT gateways exist (and bill) in a snapshot: one definition for every room.

A NAT gateway's states are pending, available, deleting, deleted and failed. It bills hourly from
creation to deletion; ``deleting``, ``deleted`` and ``failed`` ones are gone or going and count nowhere
(not in the rules, the model's lines, the proposal, the diagrams nor the views). An unknown state (an
empty cell from a collection that could not read it) counts as live: absent data never hides a cost.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from awsassess.values import text

GONE_NAT_STATES = frozenset({"deleting", "deleted", "failed"})


def nat_is_live(state: Any) -> bool:
    """True for a NAT gateway in ``state`` that exists and bills (pending, available or unknown)."""
    return text(state).lower() not in GONE_NAT_STATES


def live_nat_gateways(nat_gateways: pd.DataFrame) -> pd.DataFrame:
    """The rows of a ``nat_gateways`` table whose gateway is live (:func:`nat_is_live`)."""
    if not len(nat_gateways):
        return nat_gateways
    return nat_gateways[nat_gateways["state"].map(nat_is_live)]
