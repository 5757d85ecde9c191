"""What the architecture notebook shows: both diagrams, rendered into ``<account>/diagrams``, and the change table.

    d = render_account(ctx.snapshot, ctx.account_dir, proposed=proposed_or_none(ctx))
    d                      # current then proposed, full width, each fitted to one A4 page
    d.changes()            # what changes (Styler)

Images are inlined as ``data:`` URIs so the executed notebook, its HTML and its PDF are self-contained.
"""

from __future__ import annotations

import base64
import html
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from awsassess.architecture.build_current import current_graph
from awsassess.architecture.build_proposed import proposed_graph
from awsassess.architecture.diff import diff_table
from awsassess.architecture.graph import ArchitectureGraph
from awsassess.architecture.render import render
from awsassess.escaping import html_block
from awsassess.layout import AccountFolder
from awsassess.snapshot import Snapshot

INLINE_PAGES = 4  # VPC detail pages shown inline; the rest are listed by file name


@dataclass
class AccountDiagrams:
    current: ArchitectureGraph
    proposed: ArchitectureGraph
    files: dict[str, dict[str, Path]]  # "current" / "proposed" -> render() result
    notes: list[str] = field(default_factory=list)

    @property
    def folder(self) -> Path:
        return self.files["current"]["png"].parent

    def pages(self, which: str = "current") -> list[Path]:
        return [p for k, p in self.files[which].items() if k.endswith(".png") and k not in ("png",)]

    def changes(self) -> Any:
        from awsassess.views import table

        return table(diff_table(self.current, self.proposed), empty="No architecture to compare.")

    def _figure(self, path: Path, caption: str) -> str:
        data = base64.b64encode(path.read_bytes()).decode("ascii")
        return (f'<figure style="margin:0 0 1.2em 0; break-inside:avoid; page-break-inside:avoid">'
                f'<img alt="{html.escape(caption)}" src="data:image/png;base64,{data}" '
                'style="display:block; max-width:100%; max-height:240mm; height:auto; width:auto; '
                'object-fit:contain; border:1px solid #d5dbdb"/>'
                f'<figcaption style="font-size:9pt; color:#545b64">{html.escape(caption)} '
                f'(<code>diagrams/{html.escape(path.name)}</code>, SVG alongside)</figcaption></figure>')

    def _repr_html_(self) -> str:
        parts = [f'<p style="color:#545b64">{html.escape(n)}</p>' for n in self.notes]
        parts.append("<h3>Current</h3>")
        parts.append(self._figure(self.files["current"]["png"], self.current.title))
        pages = self.pages("current")
        if pages:
            parts.append(f"<p>The overview counts resources in large VPCs; {len(pages)} VPC detail page(s) "
                         f"were drawn{' (the largest first)' if len(pages) > INLINE_PAGES else ''}.</p>")
            for p in pages[:INLINE_PAGES]:
                parts.append(self._figure(p, f"Detail: {p.stem.removeprefix('current-')}"))
            if len(pages) > INLINE_PAGES:
                rest = ", ".join(html.escape(p.name) for p in pages[INLINE_PAGES:])
                parts.append(f'<p style="font-size:9pt">Further detail pages in <code>diagrams/</code>: {rest}</p>')
        parts.append('<h3 style="break-before:page; page-break-before:always">Proposed</h3>')
        parts.append(self._figure(self.files["proposed"]["png"], self.proposed.title))
        return html_block("\n".join(parts))

    def explore(self) -> Any:
        """JupyterLab: each diagram as a zoomable SVG with a link to its file (:func:`awsassess.lab.diagrams.zoomable`)."""
        import ipywidgets as w

        from awsassess.lab.diagrams import zoomable

        parts: list[Any] = [w.HTML(f'<p style="color:#545b64">{html.escape(n)}</p>') for n in self.notes]
        parts += [w.HTML("<h3>Current</h3>"), zoomable(self.files["current"]["svg"], self.current.title)]
        for key, path in self.files["current"].items():
            if key.endswith(".svg") and len(parts) < 2 + 2 * INLINE_PAGES:
                parts.append(zoomable(path, f"Detail: {path.stem.removeprefix('current-')}"))
        parts += [w.HTML("<h3>Proposed</h3>"), zoomable(self.files["proposed"]["svg"], self.proposed.title)]
        return w.VBox(parts)

    def _ipython_display_(self) -> None:
        """Zoomable SVGs in ``awsassess lab``; elsewhere the static figures (the report's PNGs), as before."""
        from IPython.display import display

        from awsassess.lab.mode import interactive

        if interactive():
            display(self.explore())
        else:
            display({"text/html": self._repr_html_(), "text/plain": repr(self)}, raw=True)

    def __repr__(self) -> str:
        return f"AccountDiagrams({', '.join(str(p) for f in self.files.values() for p in f.values())})"


def proposed_or_none(ctx: Any) -> tuple[Any, list[str]]:
    """The cost model's proposed architecture from a notebook context, or (None, [why]) when the model fails."""
    try:
        return ctx.model.proposed, []
    except Exception as exc:  # the cost notebook reports the model's error in full
        return None, [f"The cost model did not run ({type(exc).__name__}: {str(exc)[:200]}); the proposed diagram "
                      "shows the default proposal derived from the snapshot."]


def render_account(snapshot: Snapshot, account_dir: str | Path, proposed: Any = None,
                   notes: list[str] | None = None) -> AccountDiagrams:
    """Build both graphs and render them into ``<account_dir>/diagrams`` (current.*, proposed.*, pages)."""
    acct = AccountFolder.of(account_dir)
    acct.diagrams.mkdir(parents=True, exist_ok=True)
    cur = current_graph(snapshot)
    new = proposed_graph(snapshot, proposed)
    files = {"current": render(cur, acct.diagram("current")), "proposed": render(new, acct.diagram("proposed"))}
    return AccountDiagrams(cur, new, files, list(notes or []))


def for_context(ctx: Any) -> AccountDiagrams:
    """The notebook one-liner: the model's proposal when it runs, rendered into ``ctx.write_dir`` (the account
    folder in a batch, the session's scratch folder in JupyterLab: exploring never redraws a delivered file)."""
    proposed, notes = proposed_or_none(ctx)
    return render_account(ctx.snapshot, ctx.write_dir, proposed, notes)


def changes_for(ctx: Any) -> Any:
    """The "what changes" table of a context, from the two graphs (nothing is rendered)."""
    from awsassess.views import table

    proposed, _ = proposed_or_none(ctx)
    return table(diff_table(current_graph(ctx.snapshot), proposed_graph(ctx.snapshot, proposed)),
                 empty="No architecture to compare.")
