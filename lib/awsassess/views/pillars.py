"""The "Reliability and security" section (notebook 65_reliability_and_security): the findings by
Well-Architected pillar, a one-line status per pillar, and the risks the executive summary leads with.

A finding's pillar and best-practice id are its rule's (``@rule(..., pillar=, best_practice=)``, listed in
docs/rules.md); :func:`pillar_of` is the one lookup.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd

from awsassess import escaping
from awsassess.escaping import Html
from awsassess.findings.base import PILLARS, REGISTRY, SEVERITY_ORDER
from awsassess.views import SEVERITY_COLORS, Chart, Note, figure, table

RISK_PILLARS = ("security", "reliability")  # what "risk" means in the summary and the portfolio


def _get(f: Any, key: str) -> Any:
    return f.get(key) if isinstance(f, dict) else getattr(f, key, None)


def pillar_of(rule_id: str) -> str:
    """The Well-Architected pillar of a rule ("" for a rule this awsassess does not know)."""
    spec = REGISTRY.get(str(rule_id))
    return spec.pillar if spec is not None else ""


def best_practice_of(rule_id: str) -> str:
    spec = REGISTRY.get(str(rule_id))
    return spec.best_practice if spec is not None else ""


def _order() -> list[str]:
    """The pillars as the section lists them: security and reliability first (no rule serves sustainability)."""
    return [*RISK_PILLARS, *(p for p in PILLARS if p not in RISK_PILLARS and p != "sustainability")]


def high_risks(findings: Iterable[Any]) -> int:
    """High-severity findings of the security and reliability pillars (the portfolio's count)."""
    return sum(1 for f in findings if _get(f, "severity") == "high" and pillar_of(_get(f, "rule_id")) in RISK_PILLARS)


def status_line(findings: Iterable[Any], pillar: str) -> tuple[str, str]:
    """(status word, one line) for ``pillar``: at risk (a high finding), needs attention (a medium one),
    sound (low or none)."""
    mine = [f for f in findings if pillar_of(_get(f, "rule_id")) == pillar]
    counts = {s: sum(1 for f in mine if _get(f, "severity") == s) for s in ("high", "medium", "low", "info")}
    word = "at risk" if counts["high"] else "needs attention" if counts["medium"] else "sound"
    worst = sorted(mine, key=lambda f: SEVERITY_ORDER.get(_get(f, "severity"), 9))
    titles = []
    for f in worst:
        spec = REGISTRY.get(str(_get(f, "rule_id")))
        title = spec.title if spec is not None else str(_get(f, "title"))
        if title not in titles:
            titles.append(title)
    counted = ", ".join(f"{n} {s}" for s, n in counts.items() if n) or "no finding"
    lead = f": {'; '.join(titles[:3])}" + (f" (+{len(titles) - 3} more kinds)" if len(titles) > 3 else "") \
        if titles else ""
    return word, f"{counted}{lead}"


def pillar_status(findings: list[Any]) -> Html:
    """One line per Well-Architected pillar, security and reliability first."""
    order = _order()
    rows = []
    for p in order:
        word, line = status_line(findings, p)
        tone = {"at risk": "#c0392b", "needs attention": "#e67e22", "sound": "#27ae60"}[word]
        rows.append(f"<tr><td><b>{escaping.plain(p.capitalize())}</b></td><td style=\"color:{tone}\"><b>"
                    f"{escaping.plain(word)}</b></td><td>{escaping.plain(line)}</td></tr>")
    return Html("<table class=\"full\"><thead><tr><th>Pillar</th><th>Status</th><th>Findings</th></tr></thead>"
                f"<tbody>{''.join(rows)}</tbody></table>")


def pillar_chart(findings: list[Any]) -> Chart | Note:
    """Findings per Well-Architected pillar, stacked by severity (a static PNG: it survives HTML and PDF)."""
    order = _order()
    counts = {p: {s: 0 for s in SEVERITY_COLORS} for p in order}
    for f in findings:
        p, sev = pillar_of(_get(f, "rule_id")), _get(f, "severity")
        if p in counts and sev in counts[p]:
            counts[p][sev] += 1
    if not any(n for c in counts.values() for n in c.values()):
        return Note("No findings.")
    fig = figure(9.0, 3.2)
    ax = fig.add_subplot(111)
    labels = [p.capitalize() for p in reversed(order)]
    left = [0] * len(order)
    for sev, color in SEVERITY_COLORS.items():
        values = [counts[p][sev] for p in reversed(order)]
        ax.barh(labels, values, left=left, color=color, label=sev)
        left = [a + b for a, b in zip(left, values, strict=True)]
    ax.set_xlabel("findings")
    ax.legend(loc="lower right", fontsize=8, frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return Chart(fig, "Findings by Well-Architected pillar")


def pillar_findings(findings: list[Any], pillar: str) -> Any:
    """The pillar's findings, worst first: rule, best practice, severity, what, resources, remediation."""
    mine = sorted((f for f in findings if pillar_of(_get(f, "rule_id")) == pillar),
                  key=lambda f: (SEVERITY_ORDER.get(_get(f, "severity"), 9), str(_get(f, "rule_id"))))
    rows = [{"Rule": _get(f, "rule_id"), "Best practice": best_practice_of(_get(f, "rule_id")),
             "Severity": _get(f, "severity"), "Finding": _get(f, "title"),
             "Resources": ", ".join(str(r).rsplit("/", 1)[-1] for r in _get(f, "resource_ids") or []),
             "Remediation": _get(f, "recommendation")} for f in mine]
    return table(pd.DataFrame(rows), f"No {pillar} finding.")


def not_assessed(snapshot: Any) -> Note | Html:
    """Lens rules withheld because their data could not be read (never shown as "no finding")."""
    from awsassess.findings import not_assessed as withheld

    rows = [(rule, reason) for rule, reason in withheld(snapshot) if pillar_of(rule) in RISK_PILLARS]
    if not rows:
        return Note("Every security and reliability rule was assessed.")
    items = "".join(f"<li><b>{escaping.plain(r)}</b> ({escaping.plain(best_practice_of(r))}): "
                    f"{escaping.plain(why)}</li>" for r, why in rows)
    return Html(f"<p>Not assessed, their data could not be read:</p><ul>{items}</ul>")
