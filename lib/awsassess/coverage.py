"""What a snapshot could not read, said once: gaps the client chose, errors that went wrong, and what they hide.

Every collected call is in the snapshot's ``coverage`` table with a status (see
:data:`awsassess.collect.call_records.STATUSES`). This module is the one place that turns those statuses into
what a reader must be told:

- a **gap** is what the client's account chose: ``access_denied`` (the role may not read it),
  ``opt_in_required`` (a region not enabled), ``unsupported`` (a service not offered in a region),
  ``skipped`` (turned off in the params). A run with gaps only is complete (exit 0) and says so.
- an **error** is what went wrong: ``error`` (5xx after retries, a connection lost or timed out after
  start-up, a collector exception), ``not_implemented`` (an answer that could not be parsed),
  ``throttled`` (still throttled after every retry). An error makes the account *partial* (exit 1).

A table is **unread** when a call of the collector that fills it was denied, skipped or failed: its
rows may be missing, so no rule and no figure may conclude from them. ``opt_in_required`` and
``unsupported`` leave nothing unread (there is nothing there to read). Rules whose tables are unread
are withheld and listed as *not assessed* (:func:`awsassess.findings.evaluate`); the report, the
notebooks and the portfolio show the problems in the section of the domain they belong to and in the
executive summary's banner (:func:`banner_html`, :func:`section_note_html`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from awsassess import escaping

GAP_STATUSES = ("skipped", "access_denied", "opt_in_required", "unsupported")
ERROR_STATUSES = ("error", "not_implemented", "throttled")
# statuses after which rows may be missing from the collector's tables
UNREAD_STATUSES = ("skipped", "access_denied", *ERROR_STATUSES)

# the report's domains (one notebook each) and the collectors that feed them
DOMAIN_TITLES: dict[str, str] = {
    "network": "Networking", "compute": "Compute", "pipelines": "CI/CD pipelines", "datastores": "Data stores",
    "cdn": "CloudFront", "stacks": "CloudFormation stacks", "metrics": "CloudWatch metrics",
    "spend": "Cost Explorer billing",
}
COLLECTOR_DOMAIN: dict[str, str] = {"github": "pipelines"}  # others: the collector's name is its domain

# Calls that only add a column to rows another call already read: when one is denied or fails, that column is
# unknown (None, which the rules read as "cannot tell"), no row is missing, so its tables are not unread and
# its domain's rules and figures still stand. The problem is still reported (banner, section note). A client
# whose role predates the call (an IAM policy of an older awsassess) loses that column, not the data stores.
COLUMN_ONLY_OPERATIONS: dict[tuple[str, str], str] = {
    ("dynamodb", "DescribeContinuousBackups"): "dynamodb_tables.point_in_time_recovery",
    ("rds", "DescribeDBSnapshotAttributes"): "db_snapshots.public, db_snapshots.shared_with",
    ("rds", "DescribeDBClusterSnapshotAttributes"): "db_snapshots.public, db_snapshots.shared_with",
}

# what each domain's missing data does to the executive summary's headline figures
HEADLINE_EFFECTS: dict[str, str] = {
    "network": "monthly cost excludes unread networking (VPCs, NAT gateways, load balancers)",
    "compute": "monthly cost and savings exclude unread compute (ECS, EC2)",
    "pipelines": "deploy time may be unknown; monthly cost excludes unread CI/CD",
    "datastores": "monthly cost excludes unread data stores",
    "cdn": "monthly cost excludes unread CloudFront distributions",
    "stacks": "the Copilot/CloudFormation inventory is incomplete",
    "metrics": "right-sizing cannot use the unread utilisation metrics",
    "spend": "the bill cannot be reconciled with the model",
}


@dataclass(frozen=True)
class Problem:
    """One operation in one region that did not answer normally."""

    kind: str  # gap | error
    domain: str
    service: str
    operation: str
    region: str
    status: str
    message: str

    @property
    def operation_name(self) -> str:
        return f"{self.service}:{self.operation}"

    def sentence(self) -> str:
        """``ecs:ListServices in eu-west-1 failed with InternalError: ...`` (plain text)."""
        what = {"access_denied": "was denied", "skipped": "was not collected (turned off in the params)",
                "opt_in_required": "was not read (region not enabled)",
                "unsupported": "was not read (not offered in that region)",
                "throttled": "was still throttled after every retry",
                "not_implemented": "gave an answer that could not be parsed"}.get(self.status, "failed")
        message = f": {self.message}" if self.message else ""
        return f"{self.operation_name} in {self.region} {what}{message}"


def domain_of(collector: str) -> str:
    return COLLECTOR_DOMAIN.get(collector, collector)


@cache
def _collectors() -> tuple[tuple[str, frozenset[tuple[str, str]], tuple[str, ...]], ...]:
    """(domain, operations, tables) of every registered collector (imported once)."""
    from awsassess.collect import load_collectors

    return tuple((domain_of(c.name), frozenset(c.operations), c.tables) for c in load_collectors())


def _domain_of_operation(service: str, operation: str) -> str:
    for domain, ops, _tables in _collectors():
        if (service, operation) in ops:
            return domain
    return "core" if service in {"sts", "ec2"} else service


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return str(value)


def problems(snapshot: Any) -> list[Problem]:
    """Every coverage row of the snapshot whose status is not ``ok``, as :class:`Problem`, errors first."""
    return problems_of_rows(snapshot.table("coverage").to_dict("records"))


def problems_of_rows(rows: Iterable[Mapping[str, Any]]) -> list[Problem]:
    """:func:`problems` of coverage rows (as the collector writes them into the manifest)."""
    out: list[Problem] = []
    for row in rows:
        status = _text(row.get("status"))
        if not status or status == "ok":
            continue
        kind = "error" if status in ERROR_STATUSES or status not in GAP_STATUSES else "gap"
        service, operation = _text(row.get("service")), _text(row.get("operation"))
        domain = _domain_of_operation(service, operation)
        if service == "awsassess" and operation.startswith("collect:"):  # a collector exception
            domain = domain_of(operation.split(":", 1)[1])
        out.append(Problem(kind, domain, service, operation, _text(row.get("region")), status,
                           " ".join(_text(row.get("message")).split())[:300]))
    return sorted(out, key=lambda p: (p.kind != "error", p.domain, p.service, p.operation, p.region))


def errors(snapshot: Any) -> list[Problem]:
    return [p for p in problems(snapshot) if p.kind == "error"]


def gaps(snapshot: Any) -> list[Problem]:
    return [p for p in problems(snapshot) if p.kind == "gap"]


def unread_tables(snapshot: Any) -> dict[str, list[Problem]]:
    """Table -> the problems that may have left rows out of it (denied, skipped or failed calls of its collector)."""
    found = [p for p in problems(snapshot) if p.status in UNREAD_STATUSES
             and (p.service, p.operation) not in COLUMN_ONLY_OPERATIONS]
    out: dict[str, list[Problem]] = {}
    for domain, ops, tables in _collectors():
        hits = [p for p in found if (p.service, p.operation) in ops
                or (p.service == "awsassess" and p.domain == domain)]
        for table in tables if hits else ():
            out.setdefault(table, []).extend(hits)
    return out


def unread_domains(snapshot: Any) -> dict[str, list[Problem]]:
    """Domain -> its problems that leave data unread (denied, skipped, failed)."""
    out: dict[str, list[Problem]] = {}
    for p in problems(snapshot):
        if p.status in UNREAD_STATUSES and (p.service, p.operation) not in COLUMN_ONLY_OPERATIONS:
            out.setdefault(p.domain, []).append(p)
    return out


def not_assessed_reason(tables: Iterable[str], unread: Mapping[str, list[Problem]]) -> str | None:
    """Why a computation over ``tables`` cannot conclude (None when all of them were read)."""
    hit = [p for t in tables for p in unread.get(t, [])]
    if not hit:
        return None
    first = hit[0]
    more = len({(p.operation_name, p.region) for p in hit}) - 1
    return f"its data could not be read: {first.sentence()}" + (f" (and {more} more)" if more > 0 else "")


def summary(snapshot: Any) -> dict[str, Any]:
    """JSON-able: counts and sentences of errors and gaps, and the headline figures they affect."""
    found = problems(snapshot)
    unread = unread_domains(snapshot)
    return {
        "status": "partial" if any(p.kind == "error" for p in found) else "ok",
        "errors": [p.sentence() for p in found if p.kind == "error"],
        "gaps": [p.sentence() for p in found if p.kind == "gap"],
        "affects": [HEADLINE_EFFECTS[d] for d in sorted(unread) if d in HEADLINE_EFFECTS],
    }


# ------------------------------------------------------------------ what the reader sees
_MAX_LISTED = 6


def _items(found: list[Problem]) -> str:
    shown = "".join(f"<li>{escaping.text(p.sentence())}</li>" for p in found[:_MAX_LISTED])
    if len(found) > _MAX_LISTED:
        shown += f"<li>… and {len(found) - _MAX_LISTED} more (see the appendix's coverage table)</li>"
    return f"<ul>{shown}</ul>"


def _not_assessed(snapshot: Any, domains: tuple[str, ...]) -> list[tuple[str, str, str]]:
    """(rule id, title, reason) of the withheld rules of ``domains``."""
    from awsassess.findings import REGISTRY, not_assessed

    return [(rid, REGISTRY[rid].title, reason) for rid, reason in not_assessed(snapshot)
            if REGISTRY[rid].domain in domains]


def section_note_html(snapshot: Any, *domains: str) -> str:
    """The note at the top of a domain's section: what of it could not be read, that the figures below
    exclude it, and which findings were therefore not assessed; '' when everything was read."""
    found = [p for p in problems(snapshot) if p.domain in domains and p.status in UNREAD_STATUSES]
    withheld = _not_assessed(snapshot, domains)
    if not found and not withheld:
        return ""
    title = " and ".join(DOMAIN_TITLES.get(d, d) for d in domains)
    kind = "coverage-error" if any(p.kind == "error" for p in found) else "coverage-gap"
    parts = [f'<div class="coverage-note {kind}">']
    if found:
        parts.append(f"<p><strong>Part of {escaping.text(title)} could not be read</strong>; the figures below "
                     f"exclude it:</p>{_items(found)}")
    if withheld:
        rows = "".join(f"<li>{escaping.text(rid)} {escaping.text(t)}: not assessed, {escaping.text(reason)}</li>"
                       for rid, t, reason in withheld)
        parts.append(f"<p><strong>Not assessed</strong> (their data was not fully read, so they conclude "
                     f"nothing):</p><ul>{rows}</ul>")
    parts.append("</div>")
    return "".join(parts)


def banner_html(snapshot: Any) -> str:
    """The executive summary's coverage banner: every error and gap, and the headline figures they affect."""
    found = problems(snapshot)
    if not found:
        return ""
    errs = [p for p in found if p.kind == "error"]
    unread = unread_domains(snapshot)
    affects = "".join(f"<li>{escaping.text(HEADLINE_EFFECTS[d])}</li>" for d in sorted(unread)
                      if d in HEADLINE_EFFECTS)
    head = (f"<strong>This assessment is partial:</strong> {len(errs)} read(s) failed"
            if errs else "<strong>Coverage gaps:</strong> some data was not available to the assessment role")
    parts = [f'<div class="coverage-banner {"coverage-error" if errs else "coverage-gap"}"><p>{head}.</p>',
             _items(found)]
    if affects:
        parts.append(f"<p>Affected headline figures:</p><ul>{affects}</ul>")
    parts.append("</div>")
    return "".join(parts)


class CoverageNote:
    """A notebook/report output showing :func:`section_note_html` or :func:`banner_html`."""

    def __init__(self, markup: str, found: list[Problem]) -> None:
        self.markup = markup
        self.found = found

    def _repr_html_(self) -> str:
        return escaping.html_block(self.markup)  # no maths from a "$" in an AWS message

    def __repr__(self) -> str:
        return "\n".join(f"- {p.sentence()}" for p in self.found)


def section_note(snapshot: Any, *domains: str) -> CoverageNote | None:
    """For a notebook cell: the domain's note, or None (no output at all) when everything was read."""
    markup = section_note_html(snapshot, *domains)
    found = [p for p in problems(snapshot) if p.domain in domains and p.status in UNREAD_STATUSES]
    return CoverageNote(markup, found) if markup else None


def banner(snapshot: Any) -> CoverageNote | None:
    """For a notebook cell: the executive summary's banner, or None when nothing is missing."""
    markup = banner_html(snapshot)
    return CoverageNote(markup, problems(snapshot)) if markup else None
