"""Diagrams in JupyterLab: the SVG at a zoom the consultant sets, scrollable, with a link to the file.

In the report the diagrams are PNGs fitted to the page; on screen a large estate's overview needs zooming
(labels are 5-6 px at fit-to-width). No JavaScript: the zoom is an ipywidgets slider, so it works in an
untrusted notebook too.
"""

from __future__ import annotations

import base64
import html
import os
from pathlib import Path
from typing import Any

from awsassess.escaping import text as esc


def figure_html(svg: Path, caption: str, zoom_pct: int) -> str:
    """The SVG (inlined as a data URI, so nothing outside the notebook is fetched) at ``zoom_pct`` of the
    output width in a scrollable frame, a link that opens the full-size file, and the caption (alt text)."""
    data = base64.b64encode(svg.read_bytes()).decode("ascii")
    try:
        href = os.path.relpath(svg, Path.cwd())
    except ValueError:  # another drive (Windows)
        href = str(svg)
    return (f'<div class="tex2jax_ignore mathjax_ignore">'
            f'<div style="overflow:auto; max-height:75vh; border:1px solid #d5dbdb; background:white">'
            f'<img alt="{esc(caption)}" src="data:image/svg+xml;base64,{data}" '
            f'style="width:{int(zoom_pct)}%; max-width:none; height:auto; display:block"/></div>'
            f'<div style="font-size:9pt; color:#545b64">{esc(caption)}: <a href="{html.escape(href)}" target="_blank">'
            f"open the full-size SVG</a> ({esc(svg.name)})</div></div>")


def zoomable(svg: Path, caption: str, zoom_pct: int = 100) -> Any:
    """An ipywidgets box: a zoom slider (25-400 %) above the diagram."""
    import ipywidgets as w

    view = w.HTML(figure_html(svg, caption, zoom_pct))
    slider = w.IntSlider(value=zoom_pct, min=25, max=400, step=25, description="Zoom %", continuous_update=False)

    def on_zoom(change: dict[str, Any]) -> None:
        view.value = figure_html(svg, caption, int(change["new"]))

    slider.observe(on_zoom, names="value")
    box = w.VBox([slider, view])
    box.add_class("awsassess-diagram")
    return box
