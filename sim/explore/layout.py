"""The explorer's page (Panel): the levers on the left; the targets, figures, downloads and two pins on the right.

A change of a lever reruns the batch in a thread, so the page stays live and shows a progress bar;
changes made meanwhile are gathered into one more batch when it ends (the last setting wins).
"""
from __future__ import annotations

import asyncio
import base64
import html
import io
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

import panel as pn

from ..words import lever_value_words, words
from .compute import BASELINE, EXPLORED, Explorer, Result
from .controls import LeverControl, changed_levers
from .figures import Figure, cost_figure, emissions_figure
from .summaries import Probability, change_against_baseline, target_probabilities

MAX_PINS = 2
"""Lever settings kept side by side; pinning a third drops the oldest."""

_DRAWING = threading.Lock()  # pyplot's figure manager is not thread-safe: one session draws at a time

CSS = """table{border-collapse:collapse;font-size:14px;margin:4px 0}td,th{border:1px solid #bbb;padding:3px 8px;
text-align:right}td:first-child,th:first-child{text-align:left}th{background:#f3f3f3}
.sim-meaning{color:#444;font-size:12px;margin-top:-8px}"""
"""The page's table and note style, given to each pane (a pane's shadow DOM takes no outside style)."""


@dataclass(frozen=True)
class View:
    """A batch as shown: its result, its figures and its HTML tables."""

    result: Result
    emissions: Figure
    cost: Figure
    probabilities: str
    change: str


def _percent(p: Probability) -> str:
    if not p.runs:
        return "n/a"
    return f"{100 * p.value:.0f} % ({100 * p.low:.0f}-{100 * p.high:.0f})"


def probability_table(result: Result) -> str:
    """The targets' probabilities in the baseline and the explored setting, with 95 % Wilson intervals."""
    rows = "".join(f"<tr><td>{html.escape(target)}</td><td>{_percent(base)}</td><td>{_percent(explored)}</td></tr>"
                   for target, base, explored in target_probabilities(result.dataset))
    return (f"<table class=probabilities><tr><th>target</th><th>{BASELINE}</th><th>{EXPLORED}</th></tr>{rows}"
            f"</table><p>Share of the {result.runs} runs meeting each target, with its 95 % Wilson interval "
            "over runs in brackets.</p>")


def change_table(result: Result) -> str:
    """Net emissions avoided and extra cost of the explored setting against the baseline, run by run."""
    change = change_against_baseline(result.dataset)
    years = result.dataset["year"].values
    rows = [("net emissions avoided over the horizon, median (kt CO2e)", f"{change.avoided_median:,.1f}"),
            ("the same, 5-95 % of runs (kt CO2e)", f"{change.avoided_p05:,.1f} to {change.avoided_p95:,.1f}"),
            ("runs in which the explored setting emits less", f"{100 * change.share_less_emitted:.0f} %"),
            ("extra cost over the horizon, all payers, median (MSEK)", f"{change.extra_cost_median:,.1f}")]
    if change.net_reduction_year is not None:
        year = int(result.dataset.attrs["target_reduction_year"])
        rows.append((f"net emissions in {year}, median, baseline / explored (kt CO2e per year)",
                     f"{change.net_reduction_year[0]:,.1f} / {change.net_reduction_year[1]:,.1f}"))
    cells = "".join(f"<tr><td>{html.escape(a)}</td><td>{b}</td></tr>" for a, b in rows)
    return (f"<table class=change>{cells}</table><p>Horizon {years[0]}-{years[-1]}. Run i of both scenarios "
            "shares its sample and seed (common random numbers): these are the levers' effect, not noise.</p>")


def _image(figure: Figure, css_class: str, width: int) -> str:
    data = base64.b64encode(figure.png).decode("ascii")
    return (f'<img class="{css_class}" style="max-width:100%;width:{width}px" alt="{html.escape(figure.alt)}" '
            f'src="data:image/png;base64,{data}">')


def render(result: Result) -> View:
    """Draw the figures and tables of a batch (in a worker thread: the drawing is serialised)."""
    with _DRAWING:
        emissions, cost = emissions_figure(result.dataset), cost_figure(result.dataset)
    return View(result, emissions, cost, probability_table(result), change_table(result))


def _lever_widget(control: LeverControl):
    common = {"label": control.label, "css_classes": [f"lever-{control.name}"], "sizing_mode": "stretch_width"}
    if control.kind == "choice":
        return pn.widgets.Select(options={words(c): c for c in control.choices}, value=control.value, **common)
    number = int if control.kind == "int" else float
    low, high = number(control.low), number(control.high)
    bounds = {"start": low, "end": high, "step": number(control.step), "fixed_start": low, "fixed_end": high}
    if control.kind == "int":
        return pn.widgets.EditableIntSlider(value=int(control.value), **bounds, **common)
    return pn.widgets.EditableFloatSlider(value=control.value, **bounds, **common)


def _lever_value(control: LeverControl, value) -> float | str:
    return value if control.kind == "choice" else float(value)


def _netcdf_bytes(result: Result) -> io.BytesIO:
    from ..store import write_dataset

    with tempfile.TemporaryDirectory() as folder:
        path = write_dataset(result.dataset, Path(folder) / "explorer.nc")
        return io.BytesIO(path.read_bytes())


class Session:
    """One browser tab's page: its widgets and the batches it shows."""

    def __init__(self, explorer: Explorer):
        self.explorer = explorer
        self.runs = explorer.runs
        self.updates = 0
        self.view: View | None = None
        self.pins: list[View] = []
        self._busy, self._again = False, False
        self.widgets = {c.name: _lever_widget(c) for c in explorer.controls}
        for control in explorer.controls:
            widget = self.widgets[control.name]
            watched = "value" if control.kind == "choice" else "value_throttled"
            widget.param.watch(self._on_lever, watched)
        self.progress = pn.indicators.Progress(active=False, value=0, max=1, visible=False, width=300)
        self.status = pn.pane.HTML("", css_classes=["status"])
        self.more = pn.widgets.Button(label="More runs (twice as many)", color="primary")
        self.reset = pn.widgets.Button(label="Reset levers to the scenario")
        self.pin = pn.widgets.Button(label="Pin this setting")
        self.unpin = pn.widgets.Button(label="Clear pins")
        self.more.on_click(self._on_more)
        self.reset.on_click(self._on_reset)
        self.pin.on_click(self._on_pin)
        self.unpin.on_click(self._on_unpin)
        self.probabilities = pn.pane.HTML("", css_classes=["sim-table", "probabilities-pane"])
        self.change = pn.pane.HTML("", css_classes=["sim-table", "change-pane"])
        self.emissions = pn.pane.HTML("", css_classes=["emissions-pane"], sizing_mode="stretch_width")
        self.cost = pn.pane.HTML("", css_classes=["cost-pane"])
        self.pinned = pn.Row(css_classes=["pins"])
        downloads = [pn.widgets.FileDownload(callback=lambda: _netcdf_bytes(self.view.result), filename="explorer.nc",
                                             label="Dataset (NetCDF)"),
                     pn.widgets.FileDownload(callback=lambda: io.BytesIO(self.view.emissions.png),
                                             filename="net_emissions.png", label="Emissions figure (PNG)"),
                     pn.widgets.FileDownload(callback=lambda: io.BytesIO(self.view.cost.png),
                                             filename="cost_by_payer.png", label="Cost figure (PNG)")]
        self.page = self._layout(downloads)

    def _layout(self, downloads) -> pn.viewable.Viewable:
        scenario = self.explorer.scenario
        levers = [pn.pane.Markdown("### Levers\nEach control is a lever of the scenario, with its units; "
                                   "the baseline has every lever at its declared default.")]
        for control in self.explorer.controls:
            levers += [self.widgets[control.name],
                       pn.pane.HTML(f"<div class=sim-meaning>{html.escape(control.meaning)}</div>",
                                    stylesheets=[CSS])]
        title = (f"## Lever explorer: {words(scenario.municipality.name).capitalize()}, "
                 f"{html.escape(words(self.explorer.opened))} (scenario file '{html.escape(Path(scenario.path).name)}')")
        main = pn.Column(
            pn.pane.Markdown(title), pn.Row(self.progress, self.status),
            pn.Row(self.more, self.reset, self.pin, self.unpin),
            pn.pane.Markdown("### Probability of each target"), self.probabilities,
            pn.pane.Markdown("### Net emissions against the targets"), self.emissions,
            pn.pane.Markdown("### Cost by payer and the change against the baseline"), pn.Row(self.cost, self.change),
            pn.pane.Markdown("### Downloads"), pn.Row(*downloads),
            pn.pane.Markdown("### Pinned settings (side by side)"), self.pinned, sizing_mode="stretch_width")
        for pane in (self.probabilities, self.change):
            pane.stylesheets = [CSS]
        sidebar = pn.Column(*levers, width=380, height=1100, scroll=True)
        return pn.Row(sidebar, main, sizing_mode="stretch_width")

    def settings(self) -> dict[str, float | str]:
        """Every lever's value as set on the page."""
        return {c.name: _lever_value(c, self.widgets[c.name].value) for c in self.explorer.controls}

    async def update(self) -> None:
        """Rerun the batch of the page's setting (gathering the changes made while one runs)."""
        if self._busy:
            self._again = True
            return
        self._busy = True
        try:
            while True:
                self._again = False
                settings, runs = self.settings(), self.runs
                self.progress.param.update(visible=True, active=True)
                self.status.object = (f"<span class=running>Running the baseline and the explored setting, {runs} runs "
                                      f"each at population scale {self.explorer.scale:g}...</span>")
                try:
                    view = await asyncio.get_running_loop().run_in_executor(None, self._compute, settings, runs)
                except Exception as error:
                    self.status.object = f"<span class=error>{html.escape(type(error).__name__)}: " \
                                         f"{html.escape(str(error))}</span>"
                    break
                if not self._again:
                    self._show(view)
                    break
        finally:
            self._busy = False
            self.progress.param.update(visible=False, active=False)

    def _compute(self, settings, runs) -> View:
        return render(self.explorer.run(settings, runs))

    def _show(self, view: View) -> None:
        self.view = view
        self.updates += 1
        result = view.result
        changed = changed_levers(self.explorer.controls, result.settings)
        timing = f"in {result.seconds:.1f} s" if result.seconds else "from the cache"
        self.status.object = (f"<span class=updated data-update={self.updates}>Update {self.updates}: "
                              f"{result.runs} runs per scenario at population scale {self.explorer.scale:g}, "
                              f"seed {self.explorer.seed}, {timing}; "
                              f"{html.escape(parameter_source(result.dataset))}; levers changed from the scenario: "
                              f"{html.escape(_describe(changed))}</span>")
        self.probabilities.object = view.probabilities
        self.change.object = view.change
        self.emissions.object = _image(view.emissions, "emissions-figure", 1200)
        self.cost.object = _image(view.cost, "cost-figure", 650)

    def _pin_card(self, index: int, view: View) -> pn.viewable.Viewable:
        changed = changed_levers(self.explorer.controls, view.result.settings)
        return pn.Column(pn.pane.Markdown(f"**Pin {index + 1}**: {html.escape(_describe(changed))}; "
                                          f"{view.result.runs} runs"),
                         pn.pane.HTML(view.probabilities, stylesheets=[CSS], css_classes=["sim-table"]),
                         pn.pane.HTML(view.change, stylesheets=[CSS], css_classes=["sim-table"]),
                         pn.pane.HTML(_image(view.emissions, "pinned-figure", 600)), width=620)

    def _show_pins(self) -> None:
        self.pinned.objects = [self._pin_card(i, v) for i, v in enumerate(self.pins)]

    async def _on_lever(self, _event) -> None:
        await self.update()

    async def _on_more(self, _event) -> None:
        self.runs = min(self.runs * 2, 100_000)
        await self.update()

    async def _on_reset(self, _event) -> None:
        for control in self.explorer.controls:
            widget = self.widgets[control.name]
            value = control.value if control.kind != "int" else int(control.value)
            widget.param.update(value=value)
        await self.update()

    def _on_pin(self, _event) -> None:
        if self.view is not None:
            self.pins = (self.pins + [self.view])[-MAX_PINS:]
            self._show_pins()

    def _on_unpin(self, _event) -> None:
        self.pins = []
        self._show_pins()


def _describe(changed: dict[str, float | str]) -> str:
    return ", ".join(f"{words(name)} = {lever_value_words(name, value)}" for name, value in changed.items()) or "none"


def parameter_source(ds) -> str:
    """Where a batch's uncertainties came from, in words (the prior, or which posterior)."""
    if ds.attrs.get("parameter_source") != "posterior":
        return "uncertainties drawn from their ranges (the prior)"
    fitted = [n for n in str(ds.attrs.get("posterior_parameters", "")).split(", ") if n]
    return (f"{len(fitted)} fitted uncertainties drawn from the posterior {ds.attrs.get('posterior_file', '')}, "
            "the others from their ranges")


def build_page(explorer: Explorer) -> pn.viewable.Viewable:
    """A new session's page, filled with the batch of the opened scenario's levers."""
    session = Session(explorer)
    pn.state.onload(session.update)
    return session.page
