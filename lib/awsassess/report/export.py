"""The merged report notebook -> one self-contained HTML file, with our nbconvert template.

The template (package data ``awsassess/templates/awsassess_report``) extends nbconvert's ``lab``
template but drops its CSS and every ``<script>`` (require.js, MathJax, mermaid, widgets): the
file opens offline, runs nothing, and all images are ``data:`` URIs (``embed_images`` with the
notebooks folder as the base path, so ``![](../diagrams/current.png)`` in a markdown cell is inlined).
"""

from __future__ import annotations

import base64
import re
from datetime import UTC, date, datetime
from importlib import resources as importlib_resources
from pathlib import Path
from typing import Any

from nbconvert import HTMLExporter
from traitlets.config import Config

from awsassess import __version__
from awsassess.images import check_logo, image_type
from awsassess.report.merge import MergedReport, ReportError
from awsassess.report.navigation import finish_report
from awsassess.report.sanitize import clean_html

TEMPLATE_NAME = "awsassess_report"

_NUMERIC_TD = re.compile(
    r"<td([^>]*)>(\s*[-+\u2212]?\s*[$\u20ac\u00a3]?\s*\d[\d,]*(?:\.\d+)?\s*(?:%|[kKmM])?\s*)</td>")
_EXTERNAL = re.compile(r"""\b(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", re.I)


def templates_dir() -> Path:
    """The folder holding the ``awsassess_report`` nbconvert template (package data)."""
    return Path(str(importlib_resources.files("awsassess") / "templates"))


def report_clean(fragment: Any) -> str:
    """Sanitise notebook HTML and right-align cells that hold plain numbers."""
    text = "".join(fragment) if isinstance(fragment, list) else str(fragment)
    return _NUMERIC_TD.sub(_num_td, clean_html(text))


def _num_td(m: re.Match[str]) -> str:
    attrs = m.group(1)
    if 'class="' in attrs:
        attrs = attrs.replace('class="', 'class="num ', 1)
    else:
        attrs += ' class="num"'
    return f"<td{attrs}>{m.group(2)}</td>"


def css_string(value: Any) -> str:
    """``value`` as a quoted CSS string (safe inside a <style> element)."""
    text = " ".join(str(value or "").split())
    out = []
    for ch in text:
        if ch.isalnum() or ch in " .,:;-_()/&+@#'!?\u00b7":
            out.append(ch)
        else:
            out.append(f"\\{ord(ch):x} ")
    return '"' + "".join(out) + '"'


def html_exporter() -> HTMLExporter:
    c = Config()
    c.HTMLExporter.exclude_input = True
    c.HTMLExporter.exclude_input_prompt = True
    c.HTMLExporter.exclude_output_prompt = True
    c.HTMLExporter.embed_images = True
    c.TagRemovePreprocessor.enabled = True
    c.TagRemovePreprocessor.remove_cell_tags = {"remove-cell", "injected-parameters", "parameters"}
    c.TagRemovePreprocessor.remove_input_tags = {"remove-input"}
    c.TagRemovePreprocessor.remove_all_outputs_tags = {"remove-output"}
    exporter = HTMLExporter(config=c, template_name=TEMPLATE_NAME, extra_template_basedirs=[str(templates_dir())])
    exporter.register_filter("report_clean", report_clean)
    exporter.register_filter("css_string", css_string)
    return exporter


def logo_data_uri(logo: str | Path | None) -> str:
    """The logo file as a ``data:`` URI ('' when no logo)."""
    if not logo:
        return ""
    path = Path(logo)
    try:
        mime = check_logo(path)  # by content: a link named .png to any file is refused
    except ValueError as exc:
        raise ReportError(f"report.logo: {exc}") from None
    data = path.read_bytes()
    if image_type(data) != mime:  # changed since it was checked
        raise ReportError(f"report.logo: {path} changed while it was read. Fix: run again")
    return f"data:{mime};base64," + base64.b64encode(data).decode("ascii")


def display_date(value: Any) -> str:
    """'2026-11-26' / datetime -> '26 November 2026'; anything else unchanged; '' -> today (UTC)."""
    if not value:
        value = datetime.now(UTC).date()
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return f"{value.day} {value:%B %Y}"
    return str(value)


def report_resources(meta: dict[str, Any], merged: MergedReport, manifest: dict[str, Any] | None = None,
                     portfolio_href: str = "") -> dict[str, Any]:
    """What the template shows on the cover, contents page and running heads.

    ``portfolio_href``: a relative link to the run's portfolio (screen only, never printed: Chromium
    would print it as an absolute ``file://`` path of this machine); '' for none."""
    manifest = manifest or {}
    client = str(meta.get("client") or "").strip()
    prepared_by = str(meta.get("prepared_by") or "").strip()
    account_id = str(meta.get("account_id") or manifest.get("account_id") or "").strip()
    name = str(meta.get("name") or manifest.get("name") or "").strip()
    environment = str(meta.get("environment") or manifest.get("environment") or "").strip()
    when = display_date(meta.get("date"))
    regions = manifest.get("regions") or meta.get("regions") or []
    facts = [("Client", client), ("AWS account", account_id), ("Account name", name),
             ("Environment", environment.capitalize() if environment.islower() else environment),
             ("Regions", ", ".join(map(str, regions))),
             ("Data collected", display_date(manifest["collected_at"]) if manifest.get("collected_at") else ""),
             ("Prepared by", prepared_by), ("Date", when)]
    env_label = f"{environment} account" if environment else "AWS account"
    return {
        "title": "AWS architecture assessment",
        "kicker": "AWS architecture assessment",
        "client": client,
        "prepared_by": prepared_by,
        "subtitle": f"Architecture, cost and delivery review of the {env_label} {name or account_id}".strip(),
        "facts": [(k, v) for k, v in facts if v],
        "confidential": (f"Confidential. Prepared for {client}" if client else "Confidential")
        + (f" by {prepared_by}" if prepared_by else "") + f", {when}.",
        "running_head": " \u00b7 ".join(x for x in (client, "AWS architecture assessment") if x),
        "running_account": " \u00b7 ".join(x for x in (name, account_id) if x),
        "footer_note": "Confidential",
        "logo_uri": logo_data_uri(meta.get("logo")),
        "sections": [s.as_dict() for s in merged.sections],
        "tool_version": __version__,
        "portfolio_href": portfolio_href,
        "mode": "report",
    }


def export_html(merged: MergedReport, notebooks_dir: Path, report: dict[str, Any]) -> str:
    """HTML of the merged report; ``notebooks_dir`` resolves relative images in markdown cells."""
    exporter = html_exporter()
    body, _ = exporter.from_notebook_node(
        merged.notebook,
        resources={"metadata": {"path": str(notebooks_dir), "name": "report"}, "report": report},
    )
    body = finish_report(body)
    check_self_contained(body)
    return body


def check_self_contained(body: str) -> None:
    """Refuse HTML that would run code or fetch anything (a bug in the template or sanitiser)."""
    if re.search(r"<script\b", body, re.I):
        raise ReportError("refusing to publish: the report HTML contains a <script> element (report sanitiser bug)")
    if m := _EXTERNAL.search(body):
        snippet = body[max(0, m.start() - 60): m.end() + 60]
        raise ReportError(f"refusing to publish: the report HTML loads or links an external URL near: {snippet!r}")
