"""Executed notebooks of one account -> one report notebook.

The notebooks in ``<account_dir>/notebooks/`` (``00_summary``, ``10_networking`` ... ``90_appendix``)
are taken in the order of their numeric prefix. A notebook papermill marked as failed
(``metadata.papermill.exception``) or holding an error output is **not** published: its section is
listed as failed. Expected notebooks that are absent are listed as not available.

What is removed on the way: the ``parameters`` and ``injected-parameters`` cells, ``remove-cell``
cells, papermill's error banner, outputs of ``remove-output`` cells, stderr streams (warnings),
JavaScript and widget outputs, and code cells left without output. Code input is never shown
(the exporter runs with ``exclude_input``).

Each section starts with a ``raw`` cell carrying ``metadata.awsassess.section`` (number, id, title,
status), which the template renders as the section title with a stable anchor; second-level
headings (``## ...``) get explicit anchors too so the contents page can link to them (a marker before the
heading, which :func:`awsassess.report.navigation.finish_report` moves onto the heading itself).
:func:`merge_one` does the same for one notebook (``awsassess export``).
"""

from __future__ import annotations

import base64
import copy
import html
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat
from nbformat import NotebookNode

from awsassess.layout import PROGRESS_NOTEBOOK

NOTEBOOK_NAME = re.compile(r"^(\d{2})_([A-Za-z0-9_-]+)\.ipynb$")

DROP_CELL_TAGS = frozenset({"parameters", "injected-parameters", "remove-cell", "papermill-error-cell-tag"})
DROP_OUTPUT_MIMES = (
    "application/javascript",
    "application/vnd.jupyter.widget-view+json",
    "application/vnd.jupyter.widget-state+json",
)

# Titles for the standard notebooks; others get their first "# heading" or a title made from the name.
TITLES = {
    "summary": "Executive summary",
    "networking": "Networking",
    "network": "Networking",
    "compute": "Compute",
    "pipelines": "Delivery pipelines",
    "datastores": "Data stores",
    "data_stores": "Data stores",
    "cdn": "Content delivery (CloudFront)",
    "cloudfront": "Content delivery (CloudFront)",
    "stacks": "Infrastructure stacks",
    "security": "Security",
    "reliability_and_security": "Reliability and security",
    "progress": "Progress against the plan",
    "architecture": "Architecture diagrams",
    "migration_and_costs": "Migration plan and costs",
    "appendix": "Appendix",
}


class ReportError(Exception):
    """The report cannot be built (no notebooks, bad input); the message says what to fix."""


@dataclass
class Section:
    """One notebook's place in the report."""

    number: int
    stem: str  # e.g. "10_networking"
    title: str
    status: str  # ok | failed | missing
    anchor: str
    reason: str = ""
    subsections: list[tuple[str, str]] = field(default_factory=list)  # (anchor, title)

    def as_dict(self) -> dict[str, Any]:
        return {
            "number": self.number, "stem": self.stem, "title": self.title, "status": self.status,
            "anchor": self.anchor, "reason": self.reason,
            "subsections": [{"anchor": a, "title": t} for a, t in self.subsections],
        }


def title_for(stem: str) -> str:
    """The section title of notebook ``NN_name`` when the notebook does not start with ``# Title``."""
    name = stem.split("_", 1)[1] if "_" in stem else stem
    return TITLES.get(name, name.replace("_", " ").replace("-", " ").capitalize())


def failure_of(nb: NotebookNode) -> str | None:
    """Why ``nb`` must not be published, or None when it ran cleanly."""
    pm = nb.metadata.get("papermill", {})
    if pm.get("exception"):
        for cell in nb.cells:
            for out in cell.get("outputs", []):
                if out.get("output_type") == "error":
                    return f"{out.get('ename', 'Error')}: {out.get('evalue', '')}".strip(": ")
        return "the notebook raised an exception"
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                return f"{out.get('ename', 'Error')}: {out.get('evalue', '')}".strip(": ")
    if cell_statuses := {c.metadata.get("papermill", {}).get("status") for c in nb.cells if c.cell_type == "code"}:
        if "pending" in cell_statuses or "running" in cell_statuses:
            return "the notebook did not finish running"
    return None


# Sections the report places elsewhere than their notebook's number: progress against the plan (95_progress,
# run last so it reads every other result) comes right after the executive summary.
REPORT_POSITION = {PROGRESS_NOTEBOOK: "00_summary~"}


def report_order(stem: str) -> tuple[str, str]:
    """Sort key of a section: its notebook number, or the position :data:`REPORT_POSITION` gives it."""
    at = REPORT_POSITION.get(stem, stem)
    return at[:2], at


def find_notebooks(notebooks_dir: Path) -> dict[str, Path]:
    """``{stem: path}`` of the ``NN_name.ipynb`` files in ``notebooks_dir``, ordered by prefix then name."""
    found = {}
    if notebooks_dir.is_dir():
        for p in sorted(notebooks_dir.iterdir(), key=lambda p: p.name):
            if NOTEBOOK_NAME.match(p.name):
                found[p.stem] = p
    return found


def _tags(cell: NotebookNode) -> set[str]:
    return set(cell.get("metadata", {}).get("tags", []) or [])


def _keep_output(out: NotebookNode) -> bool:
    kind = out.get("output_type")
    if kind == "error":
        return False
    if kind == "stream":
        return out.get("name") == "stdout" and bool(str(out.get("text", "")).strip())
    return True


def _clean_output(out: NotebookNode) -> NotebookNode | None:
    if not _keep_output(out):
        return None
    if "data" in out:
        out = copy.deepcopy(out)
        for mime in DROP_OUTPUT_MIMES:
            out.data.pop(mime, None)
        if not out.data:
            return None
    return out


DENSE_TABLE_COLUMNS = 9  # more columns: smaller print font (tag "dense")
WIDE_TABLE_COLUMNS = 11  # more columns: a landscape page of its own (tag "wide"; 12 columns of ids: 738 px at 7 pt)
_FIRST_ROW = re.compile(r"<tr\b.*?</tr>", re.S | re.I)
_CELL_TAG = re.compile(r"<t[hd]\b", re.I)


def table_columns(out: NotebookNode) -> int:
    """Columns of the widest of the first rows of an HTML table output (0 when none)."""
    html_text = out.get("data", {}).get("text/html") if "data" in out else None
    if not html_text:
        return 0
    text = "".join(html_text) if isinstance(html_text, list) else str(html_text)
    return max((len(_CELL_TAG.findall(row)) for row in _FIRST_ROW.findall(text)[:3]), default=0)


_H1 = re.compile(r"^\s*#\s+(.+?)\s*#*\s*$")
_H2 = re.compile(r"^##\s+(.+?)\s*#*\s*$")


def _plain(markdown_heading: str) -> str:
    """Heading text without markdown emphasis/code/links (for the contents page)."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", markdown_heading)
    text = re.sub(r"[*_`]", "", text)
    text = re.sub(r"<[^>]+>", "", text)
    return html.unescape(text).strip()


_MD_IMAGE = re.compile(r"(!\[[^\]]*\]\()\s*<?([^)\s>]+)>?((?:\s+\"[^\"]*\")?\s*\))")
_HTML_IMAGE = re.compile(r"""(<img\b[^>]*?\bsrc\s*=\s*["'])([^"']+)(["'])""", re.I)
IMAGE_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
               ".svg": "image/svg+xml", ".webp": "image/webp"}


def inline_images(markdown: str, base: Path, root: Path) -> str:
    """Relative image paths in markdown/HTML -> ``data:`` URIs.

    ``base`` is the notebook's folder; files must lie inside ``root`` (the account folder), so
    ``![](../diagrams/current.png)`` works while nothing outside the account can be pulled in.
    nbconvert's own ``embed_images`` refuses any path above the notebook's folder.
    """

    def data_uri(src: str) -> str | None:
        if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", src) or src.startswith(("/", "#")):
            return None  # data:, http:, attachment:, absolute paths: not ours to resolve
        path = (base / src).resolve()
        mime = IMAGE_TYPES.get(path.suffix.lower())
        if not mime or not path.is_file() or not path.is_relative_to(root.resolve()):
            return None
        return f"data:{mime};base64," + base64.b64encode(path.read_bytes()).decode("ascii")

    def md_sub(m: re.Match[str]) -> str:
        uri = data_uri(m.group(2))
        return m.group(0) if uri is None else f"{m.group(1)}{uri}{m.group(3)}"

    def html_sub(m: re.Match[str]) -> str:
        uri = data_uri(m.group(2))
        return m.group(0) if uri is None else f"{m.group(1)}{uri}{m.group(3)}"

    return _HTML_IMAGE.sub(html_sub, _MD_IMAGE.sub(md_sub, markdown))


def _section_cell(section: Section) -> NotebookNode:
    cell = nbformat.v4.new_raw_cell("")
    cell["id"] = section.anchor
    cell.metadata["awsassess"] = {"section": section.as_dict()}
    return cell


def _notebook_cells(nb: NotebookNode, section: Section, base: Path, root: Path | None = None) -> list[NotebookNode]:
    """The publishable cells of ``nb``; pulls the leading ``# Title`` into ``section.title``. Markdown images
    are inlined from ``base`` (the notebook's folder) when they lie inside ``root`` (default: its parent, the
    account folder)."""
    cells: list[NotebookNode] = []
    title_taken = False
    sub = 0
    for cell in nb.cells:
        tags = _tags(cell)
        if tags & DROP_CELL_TAGS:
            continue
        cell = copy.deepcopy(cell)
        if cell.cell_type == "markdown":
            lines = cell.source.splitlines()
            if not title_taken and lines:
                first = next((i for i, line in enumerate(lines) if line.strip()), None)
                if first is not None and (m := _H1.match(lines[first])) and not lines[first].startswith("##"):
                    section.title = _plain(m.group(1)) or section.title
                    lines = lines[:first] + lines[first + 1:]
            title_taken = True
            out_lines = []
            fenced = False
            for line in lines:
                if line.lstrip().startswith(("```", "~~~")):
                    fenced = not fenced
                if not fenced and _H1.match(line):
                    line = "#" + line.lstrip()  # one title per section: later "# X" become "## X"
                if not fenced and (m := _H2.match(line)):
                    sub += 1
                    anchor = f"{section.anchor}-{sub}"
                    section.subsections.append((anchor, _plain(m.group(1))))
                    out_lines.append(f'<a id="{anchor}" class="subsection-anchor"></a>')
                    out_lines.append("")
                out_lines.append(line)
            cell.source = inline_images("\n".join(out_lines), base, base.parent if root is None else root)
            if not cell.source.strip():
                continue
            cells.append(cell)
        elif cell.cell_type == "code":
            title_taken = title_taken or bool(cell.get("outputs"))
            if "remove-output" in tags:
                continue
            outputs = [o for o in (_clean_output(o) for o in cell.get("outputs", [])) if o is not None]
            if not outputs:
                continue
            cell.outputs = outputs
            widest = max(table_columns(o) for o in outputs)
            size_tag = "wide" if widest > WIDE_TABLE_COLUMNS else "dense" if widest > DENSE_TABLE_COLUMNS else None
            if size_tag and not tags & {"wide", "dense", "landscape"}:
                cell.metadata.setdefault("tags", []).append(size_tag)
            cell.metadata.pop("papermill", None)
            cell.metadata.pop("execution", None)
            cells.append(cell)
        elif cell.cell_type == "raw":
            continue  # raw cells are for other converters; the report shows none of them
    return cells


def section_anchor(stem: str) -> str:
    """The anchor of notebook ``stem``'s section (``10_networking`` -> ``sec-10-networking``)."""
    return "sec-" + re.sub(r"[^a-z0-9-]", "-", stem.lower())


def _append_section(merged: NotebookNode, section: Section, cells: list[NotebookNode]) -> None:
    for i, cell in enumerate(cells):
        cell["id"] = f"{section.anchor}-c{i}"  # ids are unique per notebook only; the merged one needs its own
    merged.cells.append(_section_cell(section))  # after _notebook_cells: title/subsections are known
    merged.cells.extend(cells)


@dataclass
class MergedReport:
    notebook: NotebookNode
    sections: list[Section]

    @property
    def failed(self) -> list[Section]:
        return [s for s in self.sections if s.status == "failed"]

    @property
    def missing(self) -> list[Section]:
        return [s for s in self.sections if s.status == "missing"]


def merge_notebooks(notebooks_dir: Path, expected: list[str] | None = None) -> MergedReport:
    """One report notebook from the executed notebooks in ``notebooks_dir``.

    ``expected`` lists notebook stems (``NN_name``) that should be there; those absent become
    "not available" sections in their place. Raises :class:`ReportError` when no notebook at all
    can be published.
    """
    notebooks_dir = Path(notebooks_dir)
    found = find_notebooks(notebooks_dir)
    stems = sorted(set(found) | set(expected or []), key=report_order)
    merged = nbformat.v4.new_notebook()
    sections: list[Section] = []
    for number, stem in enumerate(stems, start=1):
        section = Section(number=number, stem=stem, title=title_for(stem), status="ok", anchor=section_anchor(stem))
        sections.append(section)
        path = found.get(stem)
        if path is None:
            section.status, section.reason = "missing", "this part of the assessment was not run"
            merged.cells.append(_section_cell(section))
            continue
        try:
            nb = nbformat.read(path, as_version=4)
        except Exception as exc:  # unreadable JSON, wrong format
            section.status, section.reason = "failed", f"the executed notebook could not be read ({type(exc).__name__})"
            merged.cells.append(_section_cell(section))
            continue
        if not merged.metadata.get("kernelspec") and nb.metadata.get("kernelspec"):
            merged.metadata["kernelspec"] = nb.metadata["kernelspec"]
            if nb.metadata.get("language_info"):  # an empty one fails nbformat's validation
                merged.metadata["language_info"] = nb.metadata["language_info"]
        if reason := failure_of(nb):
            section.status = "failed"
            section.reason = reason[:300]
            merged.cells.append(_section_cell(section))
            continue
        _append_section(merged, section, _notebook_cells(nb, section, notebooks_dir))
    if not any(s.status == "ok" for s in sections):
        detail = "; ".join(f"{s.stem}: {s.status}" for s in sections) or "no NN_name.ipynb files"
        raise ReportError(
            f"{notebooks_dir}: no executed notebook can be published ({detail}). "
            "Fix: run the account's notebooks first (`awsassess run` / `awsassess analyze`) and check the "
            "failed ones in that folder."
        )
    return MergedReport(notebook=merged, sections=sections)


def not_run(nb: NotebookNode) -> bool:
    """True when ``nb`` has code to run and none of it ran (a notebook saved before "Run All")."""
    code = [c for c in nb.cells if c.cell_type == "code" and not _tags(c) & DROP_CELL_TAGS and c.source.strip()]
    return bool(code) and not any(c.get("execution_count") or c.get("outputs") for c in code)


def merge_one(path: Path, root: Path | None = None) -> MergedReport:
    """A report notebook of the one executed notebook ``path`` (one section), with the same cleaning as
    :func:`merge_notebooks`. Raises :class:`ReportError`, naming the fix, when it cannot be read or must not
    be published (an error output, not run). ``root``: markdown images are inlined from inside it (default:
    the notebook's folder's parent)."""
    path = Path(path)
    try:
        nb = nbformat.read(path, as_version=4)
    except Exception as exc:  # not JSON, not a notebook, wrong format
        raise ReportError(f"{path} is not a Jupyter notebook that can be read ({type(exc).__name__}: "
                          f"{str(exc).splitlines()[0][:200] if str(exc) else ''}). Fix: give an executed .ipynb file "
                          "saved by JupyterLab or papermill") from None
    if reason := failure_of(nb):
        raise ReportError(f"{path}: not exported, the notebook holds an error or did not finish ({reason[:300]}). "
                          "Fix: correct the failing cell, run the whole notebook again (JupyterLab: Kernel > Restart "
                          "Kernel and Run All Cells) and save it, then export")
    if not_run(nb):
        raise ReportError(f"{path}: not exported, none of its code cells has run. Fix: run it first (JupyterLab: "
                          "Kernel > Restart Kernel and Run All Cells) and save it, then export")
    stem = path.stem
    merged = nbformat.v4.new_notebook()
    for key in ("kernelspec", "language_info"):
        if nb.metadata.get(key):
            merged.metadata[key] = nb.metadata[key]
    section = Section(number=1, stem=stem, title=title_for(stem) if NOTEBOOK_NAME.match(path.name) else
                      stem.replace("_", " ").replace("-", " ").capitalize(), status="ok", anchor=section_anchor(stem))
    _append_section(merged, section, _notebook_cells(nb, section, path.parent, root))
    return MergedReport(notebook=merged, sections=[section])
