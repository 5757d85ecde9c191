"""What-if in JupyterLab: the assumptions that move money and design, as controls.

The controls are declared once (:data:`CONTROLS`: key, label, range or options); the pure functions
turn control values into a params-style assumptions block (:func:`scenario`: only what differs from the
delivered report) and a block back into values (:func:`values_of`). :class:`Explorer` (ipywidgets) is
what 00_summary and 80_migration_and_costs show in ``awsassess lab``: an account picker, the controls,
a badge saying whether the figures are the delivered report's or a what-if, and the live results (the
headline, cost by area, compute options, the proposed diagram and the migration plan) recomputed from
the snapshot, offline, on every change. Results and diagrams go to the session's scratch folder; the
"Save scenario" button writes the assumptions block to paste into the params file there too.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from awsassess.assumptions import Assumptions
from awsassess.lab.session import LabChoice, accounts_of, find_runs, read_choice, read_root, write_choice
from awsassess.notebook import Context
from awsassess.safe_files import write_text_atomic


@dataclass(frozen=True)
class Control:
    """One what-if control: an assumption key (``section.name``), how it is shown, and its range or options."""

    key: str
    label: str
    kind: str  # "float" | "toggle" | "choice" | "multi"
    low: float = 0.0
    high: float = 0.0
    step: float = 0.0
    options: tuple[tuple[str, Any], ...] = ()  # (label, value) for "choice"; values for "multi"
    help: str = ""

    @property
    def section(self) -> str:
        return self.key.split(".", 1)[0]

    def widget_value(self, value: Any) -> Any:
        """What the control's widget holds for the assumption value ``value`` (a choice goes by index: a
        Dropdown reads the value None as "nothing selected")."""
        if self.kind == "choice":
            return [v for _, v in self.options].index(value)
        if self.kind == "multi":
            return tuple(value)
        return value

    def assumption_value(self, widget_value: Any) -> Any:
        """The assumption value of the widget's ``widget_value`` (lists as sorted tuples; a slider's float
        rounded: its steps add up in binary, 0.9 - 4 x 0.05 is 0.7000000000000001)."""
        if self.kind == "choice":
            return self.options[int(widget_value)][1]
        if self.kind == "multi":
            return tuple(sorted(widget_value))
        if self.kind == "float":
            return round(float(widget_value), 6)
        return widget_value

    @property
    def name(self) -> str:
        return self.key.split(".", 1)[1]


def _families() -> tuple[tuple[str, Any], ...]:
    from awsassess.pricing.specs import instance_specs

    return tuple((f, f) for f in sorted({s.family for s in instance_specs().values()}))


CONTROLS: tuple[Control, ...] = (
    Control("shared.cpu_target_pct", "CPU target %", "float", 40, 90, 5,
            help="Right-sizing: a task's p95 CPU may use at most this share of its new size"),
    Control("shared.memory_target_pct", "Memory target %", "float", 50, 95, 5,
            help="Right-sizing: a task's p95 memory may use at most this share of its new size"),
    Control("model.utilisation_target", "Packing utilisation", "float", 0.5, 1.0, 0.05,
            help="ECS on EC2: the share of each instance tasks may reserve"),
    Control("model.compute_launch", "Compute", "choice",
            options=(("Cheapest of Fargate and EC2", "cheapest"), ("Keep Fargate", "fargate"),
                     ("ECS on EC2", "ec2"))),
    Control("model.allow_graviton", "Graviton (arm64)", "toggle",
            help="Allow arm64 instances and Fargate ARM (needs multi-arch images)"),
    Control("model.instance_families", "Instance families", "multi",
            help="The families the EC2 packing may choose from"),
    Control("model.savings_plans", "Compute Savings Plan", "toggle"),
    Control("model.savings_plan_discount_pct", "Savings Plan discount %", "float", 0, 66, 1,
            help="1 year no upfront is about 20%; 3 years all upfront up to 66%"),
    Control("model.savings_plan_coverage_pct", "Savings Plan coverage %", "float", 0, 100, 5,
            help="Share of the proposed compute the commitment covers"),
    Control("model.nat_per_az", "NAT gateways", "choice",
            options=(("As the environment (per AZ in production)", None), ("One per AZ", True),
                     ("One per VPC", False))),
)


def value_of(assumptions: Assumptions, key: str) -> Any:
    section, name = key.split(".", 1)
    return getattr(getattr(assumptions, section), name)


def values_of(assumptions: Assumptions, controls: tuple[Control, ...] = CONTROLS) -> dict[str, Any]:
    """The controls' values in ``assumptions`` (lists as sorted tuples, comparable and hashable)."""
    out = {}
    for c in controls:
        v = value_of(assumptions, c.key)
        out[c.key] = tuple(sorted(v)) if isinstance(v, list) else v
    return out


def scenario(values: dict[str, Any], delivered: Assumptions) -> dict[str, Any]:
    """The params-style assumptions block of ``values``: only the keys that differ from ``delivered``."""
    block: dict[str, dict[str, Any]] = {}
    base = values_of(delivered)
    for key, value in values.items():
        if key not in base:
            raise KeyError(f"what-if: {key!r} is not a control. Fix: use one of {', '.join(base)}")
        v = sorted(value) if isinstance(value, tuple | list) else value
        if (tuple(v) if isinstance(v, list) else v) != base[key]:
            section, name = key.split(".", 1)
            block.setdefault(section, {})[name] = v
    return block


def changes(ctx: Context) -> list[tuple[str, Any, Any]]:
    """(key, delivered, now) for every control that differs from the delivered report."""
    if ctx.delivered is None:
        return []
    before, now = values_of(ctx.delivered), values_of(ctx.assumptions)
    return [(k, before[k], now[k]) for k in now if now[k] != before[k]]


def _show(value: Any) -> str:
    if isinstance(value, tuple):
        return ", ".join(map(str, value)) or "none"
    return "unset" if value is None else str(value)


def badge_html(ctx: Context) -> str:
    """"As delivered" or "What-if" with each changed assumption (escaped; never read as maths)."""
    from awsassess.escaping import text as esc

    where = f"{esc(ctx.lab.account)} ({esc(ctx.lab.run.name)})" if ctx.lab is not None else esc(ctx.snapshot.name)
    diff = changes(ctx)
    if not diff:
        return (f'<div class="tex2jax_ignore mathjax_ignore awsassess-badge" style="display:inline-block;'
                f'padding:4px 10px;border-radius:12px;background:#e8f6ef;color:#1e7145;font-weight:600">'
                f"{where}: as delivered</div>")
    items = "; ".join(f"{esc(k)} {esc(_show(a))} \u2192 {esc(_show(b))}" for k, a, b in diff)
    return (f'<div class="tex2jax_ignore mathjax_ignore awsassess-badge" style="display:inline-block;'
            f'padding:4px 10px;border-radius:12px;background:#fdf2e3;color:#8a4b08;font-weight:600">'
            f"{where}: WHAT-IF, differs from the delivered report ({items})</div>")


def save_scenario(ctx: Context, when: dt.datetime | None = None) -> Path:
    """Write the what-if as an ``assumptions:`` block for the account's params file into the scratch folder."""
    if ctx.delivered is None or ctx.lab is None:
        raise ValueError("save_scenario: only in a JupyterLab session (`awsassess lab`), where the delivered "
                         "assumptions are known")
    block = scenario(values_of(ctx.assumptions), ctx.delivered)
    stamp = (when or dt.datetime.now(dt.UTC)).strftime("%Y%m%dT%H%M%SZ")
    path = ctx.write_dir / f"scenario-{stamp}.yaml"
    header = (f"# What-if scenario for {ctx.lab.account} (run {ctx.lab.run}), saved {stamp}.\n"
              f"# Merge this block into the account's params file, then run `awsassess run` again:\n"
              f"# only the assumptions that differ from the delivered report are listed.\n")
    body = yaml.safe_dump({"assumptions": block}, sort_keys=True) if block else "assumptions: {}\n"
    write_text_atomic(path, header + body)
    return path


def whatif_diagram(ctx: Context) -> Path:
    """The proposed diagram of this context, drawn into the scratch folder (SVG and PNG); its SVG path."""
    from awsassess.architecture.build_proposed import proposed_graph
    from awsassess.architecture.display import proposed_or_none
    from awsassess.architecture.render import render
    from awsassess.layout import AccountFolder

    folder = AccountFolder(ctx.write_dir)
    folder.diagrams.mkdir(parents=True, exist_ok=True)
    proposed, _ = proposed_or_none(ctx)
    files = render(proposed_graph(ctx.snapshot, proposed), folder.diagram("proposed"), pages=False)
    return files["svg"]


# --------------------------------------------------------------------------------------------- widgets
class Explorer:
    """The account picker, the what-if controls and the live results, as one ipywidgets box (``.widget``)."""

    def __init__(self, session: Path, ctx: Context, *, choose: Callable[[Path, LabChoice], Context] | None = None,
                 show_results: bool = True) -> None:
        import ipywidgets as w

        from awsassess.lab.context import context_for

        self.session = session
        self.ctx = ctx
        self._context_for = choose or context_for
        self.show_results = show_results
        self.timings: dict[str, float] = {}
        self.listeners: list[Callable[[Context], None]] = []
        self._busy = False
        accounts = self._accounts()
        current = self._current()
        self.picker = w.Dropdown(description="Account", options=accounts,
                                 value=current if current in [v for _, v in accounts] else None,
                                 layout=w.Layout(width="520px"), style={"description_width": "90px"})
        self.picker.observe(self._on_pick, names="value")
        self.controls = {c.key: self._control(c) for c in CONTROLS}
        for widget in self.controls.values():
            widget.observe(self._on_change, names="value")
        self.badge = w.HTML()
        self.status = w.HTML()
        reset = w.Button(description="Reset to delivered", icon="undo", layout=w.Layout(width="auto"))
        reset.on_click(lambda _b: self.reset())
        save = w.Button(description="Save scenario", icon="save", button_style="info", layout=w.Layout(width="auto"))
        save.on_click(lambda _b: self.save())
        self.results = w.Output(layout=w.Layout(border="1px solid #d5dbdb", padding="6px"))
        grid = w.GridBox(list(self.controls.values()),
                         layout=w.Layout(grid_template_columns="repeat(2, minmax(300px, 1fr))", grid_gap="4px 16px"))
        self.widget = w.VBox([self.picker, self.badge, grid, w.HBox([reset, save]), self.status]
                             + ([self.results] if show_results else []))
        self.widget.add_class("awsassess-explorer")
        self._set_values(ctx)
        self.refresh()

    # ------------------------------------------------------------------ widgets from the declarations
    def _control(self, c: Control) -> Any:
        import ipywidgets as w

        style = {"description_width": "170px"}
        layout = w.Layout(width="auto")
        if c.kind == "float":
            return w.FloatSlider(description=c.label, min=c.low, max=c.high, step=c.step, continuous_update=False,
                                 readout_format=".2f" if c.step < 1 else ".0f", style=style, layout=layout,
                                 tooltip=c.help)
        if c.kind == "toggle":
            return w.Checkbox(description=c.label, style=style, layout=layout, indent=True, tooltip=c.help)
        if c.kind == "choice":  # by index: a Dropdown reads the value None as "nothing selected"
            return w.Dropdown(description=c.label, options=[(label, i) for i, (label, _) in enumerate(c.options)],
                              style=style, layout=layout)
        if c.kind == "multi":
            return w.SelectMultiple(description=c.label, options=[v for _, v in _families()], rows=4, style=style,
                                    layout=layout, tooltip=c.help)
        raise ValueError(f"control {c.key}: unknown kind {c.kind!r}")

    def _accounts(self) -> list[tuple[str, tuple[str, str]]]:
        root = read_root(self.session)
        roots = [root] if root is not None else []
        if self.ctx.lab is not None:
            roots.append(self.ctx.lab.run.parent)
        runs: list[Path] = []
        for root in roots:
            for run in find_runs(root):
                if run.resolve() not in [r.resolve() for r in runs]:
                    runs.append(run)
        return [(f"{run.name} / {name}", (str(run), name)) for run in runs for name in accounts_of(run)]

    def _current(self) -> tuple[str, str] | None:
        """The picker value of the context's account (None outside a session)."""
        return None if self.ctx.lab is None else (str(self.ctx.lab.run), self.ctx.lab.account)

    def _set_values(self, ctx: Context) -> None:
        """Show ``ctx``'s assumptions; a slider or list widens to hold a value outside its usual range, so
        showing a delivered value never changes it."""
        self._busy = True
        try:
            values = values_of(ctx.assumptions)
            for c in CONTROLS:
                value, widget = values[c.key], self.controls[c.key]
                if c.kind == "float":
                    widget.min, widget.max = min(c.low, value), max(c.high, value)
                elif c.kind == "multi":
                    widget.options = sorted({*(v for _, v in _families()), *value})
                widget.value = c.widget_value(value)
        finally:
            self._busy = False

    def set_control(self, key: str, value: Any) -> None:
        """Set control ``key`` to the assumption value ``value``, as a consultant would (a change recomputes)."""
        c = next((c for c in CONTROLS if c.key == key), None)
        if c is None:
            raise KeyError(f"what-if: {key!r} is not a control. Fix: use one of {', '.join(x.key for x in CONTROLS)}")
        self.controls[key].value = c.widget_value(value)

    def values(self) -> dict[str, Any]:
        """The controls' values, as assumption values (lists as sorted tuples)."""
        return {c.key: c.assumption_value(self.controls[c.key].value) for c in CONTROLS}

    # ------------------------------------------------------------------ actions
    def _failed(self, what: str, exc: Exception) -> None:
        """A callback's error, shown in the explorer (a widget callback's exception otherwise only reaches
        JupyterLab's log console)."""
        from awsassess.escaping import text as esc

        self.status.value = (f"<div style='color:#c0392b' class='tex2jax_ignore mathjax_ignore'><b>{esc(what)} failed</b>: "
                             f"{esc(type(exc).__name__)}: {esc(exc)}</div>")

    def _on_pick(self, change: dict[str, Any]) -> None:
        if self._busy or not change.get("new"):
            return
        run, account = change["new"]
        try:
            self.choose(Path(run), account)
        except Exception as exc:
            self._failed(f"Opening {account}", exc)

    def choose(self, run: Path, account: str) -> None:
        """Open another account (its delivered assumptions; the what-if is reset) and record it for the session."""
        choice = LabChoice(run, account)
        try:
            ctx = self._context_for(self.session, choice)  # first: a choice that cannot open is never recorded
        except Exception:
            self._busy = True
            try:
                self.picker.value = self._current()
            finally:
                self._busy = False
            raise
        write_choice(self.session, choice, root=read_root(self.session))
        self.ctx = ctx
        self._set_values(self.ctx)
        self.refresh()

    def _on_change(self, _change: dict[str, Any]) -> None:
        if not self._busy:
            try:
                self.apply(self.values())
            except Exception as exc:
                self._failed("The what-if", exc)

    def apply(self, values: dict[str, Any]) -> None:
        """Recompute with these control values (the what-if is recorded for the session's other notebooks)."""
        if self.ctx.delivered is None or self.ctx.lab is None:
            return
        started = time.perf_counter()
        whatif = scenario(values, self.ctx.delivered)
        choice = self.ctx.lab.with_whatif(whatif)
        ctx = self._context_for(self.session, choice)
        write_choice(self.session, choice, root=read_root(self.session))
        self.ctx = ctx
        self.refresh()
        self.timings["whatif_s"] = round(time.perf_counter() - started, 2)

    def reset(self) -> None:
        if self.ctx.delivered is not None:
            self._set_values(Context(self.ctx.snapshot, self.ctx.account_dir, self.ctx.delivered))
            self.apply(self.values())

    def save(self) -> Path | None:
        try:
            path = save_scenario(self.ctx)
        except ValueError as exc:
            self.status.value = f"<b style='color:#c0392b'>{exc}</b>"
            return None
        from awsassess.escaping import text as esc

        self.status.value = (f"<span class='tex2jax_ignore mathjax_ignore'>Scenario saved to <code>{esc(path)}</code>: "
                             "merge its <code>assumptions:</code> block into the params file.</span>")
        return path

    def refresh(self) -> None:
        """Live results, every subscribed output, then the badge, of the current context."""
        from IPython.display import HTML, display

        started = time.perf_counter()
        if self.show_results:
            self.results.clear_output(wait=True)
            with self.results:
                for part in results(self.ctx):
                    display(HTML(part) if isinstance(part, str) else part)
        for listener in self.listeners:
            listener(self.ctx)
        self.badge.value = badge_html(self.ctx)  # last: once it names the choice, every output shows it
        self.timings["refresh_s"] = round(time.perf_counter() - started, 2)

    def subscribe(self, listener: Callable[[Context], None]) -> None:
        """Call ``listener(ctx)`` now and after every change of account or what-if."""
        self.listeners.append(listener)
        listener(self.ctx)


def results(ctx: Context) -> list[Any]:
    """What the explorer shows for a context, in order: headline, cost by area (table and chart), compute
    options, the proposed diagram (zoomable) and the migration plan. Strings are HTML."""
    from awsassess.lab.diagrams import zoomable
    from awsassess.report import summary
    from awsassess.views import costs

    model = ctx.model
    return [
        '<h3 class="awsassess-whatif-h">Headline</h3>', summary.headline_html(ctx),
        '<h3 class="awsassess-whatif-h">Cost by area</h3>', costs.by_domain(model), costs.by_domain_chart(model),
        '<h3 class="awsassess-whatif-h">Compute options</h3>', costs.compute_options(model),
        '<h3 class="awsassess-whatif-h">Proposed architecture</h3>', zoomable(whatif_diagram(ctx), "Proposed architecture"),
        '<h3 class="awsassess-whatif-h">Migration plan</h3>', costs.migration_waves(model),
    ]


def explorer(ctx: Context, *, show_results: bool = True) -> Any:
    """The notebook one-liner: a :class:`awsassess.lab.live.Live` of ``ctx``. In ``awsassess lab`` it displays
    the explorer (picker, what-if controls, badge and, with ``show_results``, the live results) and its
    ``show`` re-renders on every change; in a batch or report it displays nothing and ``show`` renders once."""
    from awsassess.lab.live import Live
    from awsassess.lab.mode import interactive, session_dir

    session = session_dir()
    if not interactive() or session is None or ctx.lab is None:
        return Live(ctx, None)
    if read_choice(session) is None:
        write_choice(session, ctx.lab, root=read_root(session))
    return Live(ctx, Explorer(session, ctx, show_results=show_results))


def badge(ctx: Context) -> Any:
    """The session badge a domain notebook shows at its top in ``awsassess lab`` (account, and "as delivered"
    or the what-if); None (nothing shown) in a batch or report."""
    from IPython.display import HTML

    if ctx.lab is None:
        return None
    return HTML(badge_html(ctx) + '<div style="font-size:9pt;color:#545b64">Change the account or the what-if in '
                "00_summary, then run this notebook again.</div>")
