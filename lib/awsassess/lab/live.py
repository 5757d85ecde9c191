"""Notebook outputs that follow the JupyterLab session: ``live.show(render)``.

``live = explorer(ctx)`` in a notebook's first cell; every display cell then calls
``live.show(lambda c: view.by_domain(c.model))`` (or a function of the context). In a batch or report build
``show`` returns ``render(ctx)`` itself, so the executed notebook and the report are exactly what they were;
in ``awsassess lab`` it returns an output area that is drawn again whenever the account or the what-if
changes, so a cost table, a chart and the diagram move together in place.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from awsassess.lab.whatif import Explorer
    from awsassess.notebook import Context


def _displayable(value: Any) -> Any:
    from IPython.display import HTML

    return HTML(value) if isinstance(value, str) else value


class Live:
    """A notebook's context and, in JupyterLab, the explorer whose changes re-render every ``show``."""

    def __init__(self, ctx: Context, explorer: Explorer | None) -> None:
        self.ctx = ctx
        self.explorer = explorer

    @property
    def context(self) -> Context:
        """The current context (the explorer's after a change of account or what-if)."""
        return self.explorer.ctx if self.explorer is not None else self.ctx

    def show(self, render: Callable[[Context], Any]) -> Any:
        """``render(ctx)`` (HTML when a string); in JupyterLab an output area re-rendered on every change."""
        if self.explorer is None:
            return _displayable(render(self.ctx))
        import ipywidgets as w
        from IPython.display import HTML, display

        area = w.Output()

        def draw(ctx: Context) -> None:
            area.clear_output(wait=True)
            with area:
                try:
                    display(_displayable(render(ctx)))
                except Exception as exc:  # shown where the reader looks, with the cause
                    from awsassess.escaping import text as esc

                    display(HTML(f'<div style="color:#c0392b"><b>This view failed for the current choice</b>: '
                                 f"{esc(type(exc).__name__)}: {esc(exc)}</div>"))
                    traceback.print_exc()

        self.explorer.subscribe(draw)
        return area

    def _ipython_display_(self) -> None:
        if self.explorer is not None:
            from IPython.display import display

            display(self.explorer.widget)
