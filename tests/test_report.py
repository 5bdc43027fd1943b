"""The HTML report reads at a glance: a title in words, plain-language headers whose units match the cells,
tables one column per scenario, text alternatives with the key numbers, print-size type, one legend
naming every line, colour-blind-safe colours, the sampled uncertainties listed, and extra sections."""
from __future__ import annotations

import re
from html.parser import HTMLParser

import matplotlib.colors
import numpy as np
import pytest
from testdata import scenario_text

import sim
from sim.report_style import MIN_FONT_PT, OKABE_ITO, PRINT_WIDTH_IN, print_style
from sim.scenario import parse_scenario
from sim.words import words

TRIANGULAR = "pledge_decay = {distribution = \"triangular\", low = 0.1, mode = 0.15, high = 0.4}"


@pytest.fixture(scope="module")
def batch():
    """Two scenarios, four runs; the second samples its grant budget from a range, draws one uncertainty from a
    triangular distribution and fixes another."""
    scenarios = []
    for name, levers, uncertainties in (("base", "", ""), ("more_grants", "grant_budget = {low = 1e7, high = 6e7}",
                                                            TRIANGULAR + "\nfree_rider_share = 0.2")):
        text = scenario_text(end_year=2031, scale=0.01, levers=levers, uncertainties=uncertainties)
        scenarios.append(parse_scenario(text.replace('name = "test"', f'name = "{name}"')))
    return sim.run_batch(scenarios, 4, seed=3, workers=1)


class Page(HTMLParser):
    """The page's headings and table cells as text, its tables as rows of cells, its images' attributes."""

    def __init__(self, text: str):
        super().__init__()
        self.headers, self.images, self.tables, self._open = [], [], [], None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            self.images.append(dict(attrs))
        elif tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("th", "td", "h1", "h2", "h3", "h4", "title"):
            self._open = [tag, ""]

    def handle_data(self, data):
        if self._open is not None:
            self._open[1] += data

    def handle_endtag(self, tag):
        if self._open is not None and tag == self._open[0]:
            if tag != "td":
                self.headers.append(self._open[1])
            if tag in ("th", "td"):
                self.tables[-1][-1].append(self._open[1])
            self._open = None


@pytest.fixture(scope="module")
def page(batch, tmp_path_factory):
    path = tmp_path_factory.mktemp("report") / "r.html"
    text = sim_report(batch, path, extra_sections=[("Investment plan <per lever>", "<p id=plan>the plan's table</p>")])
    return text, Page(text)


def sim_report(ds, path, **kwargs) -> str:
    from sim.html_report import write_report
    return write_report(ds, path, **kwargs).read_text(encoding="utf-8")


def _section(text: str, heading: str) -> str:
    start = text.index(f"<h2>{heading}</h2>")
    end = text.find("<h2>", start + 1)
    return text[start:end if end >= 0 else None]


def test_title_is_in_words(batch, page):
    from sim.html_report import report_title
    title = report_title(batch)
    assert title == "Eskilstuna: base and more grants \u2014 4 runs, seed 3"
    assert "(" not in title and "run_batch" not in title
    text, parsed = page
    assert parsed.headers[0] == title and f"<h1>{title}</h1>" in text   # <title> and <h1>
    assert "4 runs per scenario, seed 3, population scale 0.01 (1 = the whole municipality)" in text


def test_headers_are_plain_language(page):
    _, parsed = page
    for header in parsed.headers:
        assert not re.search(r"[A-Za-z0-9]_[A-Za-z0-9]", header), header    # no snake_case
        assert "(1)" not in header and not re.search(r"\bmean\b", header), header


def test_header_units_match_the_cells(batch, page):
    """A probability's row says (%) and its cells are per cent; net emissions say kt and the cells are kt."""
    _, parsed = page
    rows = {row[0]: row[1:] for row in parsed.tables[0]}
    assert rows["measure"] == ["base", "more grants"]
    probability = rows["reduction target 2030 -80%, with compensation: probability (%)"]
    assert probability == [f"{100 * p:.1f}" for p in batch["prob_target_2030_with_compensation"].values]
    net = rows["net emissions 2030: median (kt CO2e/yr)"]
    assert net == [f"{v / 1e3:,.1f}" for v in batch["net_emissions_2030_median"].values]
    assert batch["net_emissions_2030_median"].attrs["units"] == "t CO2e/yr"    # the scale is the report's


def test_tables_have_one_column_per_scenario(batch, page):
    """Measures are rows, so a table is as wide as the scenarios (the uncertainties' table has six fixed columns)."""
    _, parsed = page
    assert len(parsed.tables) >= 4
    for table in parsed.tables:
        widths = {len(row) for row in table}
        assert len(widths) == 1, widths
        assert widths.pop() in (1 + batch.sizes["scenario"], batch.sizes["scenario"], 6), table[0]


def test_every_figure_has_a_text_alternative_with_its_numbers(batch, page):
    _, parsed = page
    assert len(parsed.images) >= 7
    for image in parsed.images:
        assert len(image.get("alt", "")) > 60 and re.search(r"\d", image["alt"]), image.get("alt")
    net = next(i["alt"] for i in parsed.images if i["alt"].startswith("Fan charts of net emissions"))
    for name in ("base", "more grants"):
        median = float(batch["net_emissions"].sel(scenario=name.replace(" ", "_"), year=2031).median("run")) / 1e3
        assert f"{median:,.0f} in 2031" in net
    assert "20 % of 2020's net emissions in 2030" in net
    base = batch["net_emissions"].sel(scenario="base").median("run") / 1e3   # the base and target years are named
    assert f"median {float(base.sel(year=2020)):,.0f} in 2020, {float(base.sel(year=2030)):,.0f} in 2030, " in net


def test_uncertainties_section_lists_every_sampled_uncertainty(batch, page):
    text, _ = page
    section = Page(_section(text, "Sampled uncertainties"))
    rows = {row[0]: row[1:] for row in section.tables[0]}
    sampled = [n for n, v in batch.data_vars.items() if v.attrs.get("role") == "uncertainty"]
    assert len(sampled) > 40
    for name in sampled:
        differs = name in ("pledge_decay", "free_rider_share")
        labels = [f"{words(name)} ({s})" for s in ("base", "more grants")] if differs else [words(name)]
        for label in labels:
            assert label in rows, label
    assert len(rows) == 1 + len(sampled) + 2     # the header, one row each, two for the ones that differ
    # uncertainty, meaning, units, distribution, range, sampled 5-95 %
    base = batch["discount_rate_firms"].sel(scenario="base")   # not fitted: drawn from its prior range
    drawn = f"{float(base.quantile(0.05, 'run')):.3g} to {float(base.quantile(0.95, 'run')):.3g}"
    assert rows["discount rate firms"] == [batch["discount_rate_firms"].attrs["long_name"], "per yr",
                                           "uniform", "0.1 to 0.25", drawn]
    assert rows["pledge decay (more grants)"][2:4] == ["triangular, mode 0.15", "0.1 to 0.4"]
    assert rows["free rider share (more grants)"][1:5] == ["-", "fixed", "0.2", "0.2 to 0.2"]


def test_levers_varied_run_by_run_are_listed(batch, page):
    text, _ = page
    section = Page(_section(text, "Sampled uncertainties"))
    assert len(section.tables) == 2
    rows = {row[0]: row[1:] for row in section.tables[1]}
    drawn = batch["grant_budget"].sel(scenario="more_grants")
    assert 1e7 <= float(drawn.min()) < float(drawn.max()) <= 6e7
    assert rows["grant budget (more grants)"][2:] == [
        "uniform", "10,000,000 to 60,000,000",
        f"{float(drawn.quantile(0.05, 'run')):,.0f} to {float(drawn.quantile(0.95, 'run')):,.0f}"]
    assert rows["grant budget (base)"][2:4] == ["fixed", f"{float(batch['grant_budget'].sel(scenario='base')[0]):,.0f}"]
    assert set(rows) == {"lever", "grant budget (base)", "grant budget (more grants)"}


def test_parameter_source_is_named(batch, tmp_path):
    ds = batch.copy()
    ds.attrs["parameter_source"] = "posterior of calibration run 7"
    text = sim_report(ds, tmp_path / "r.html")
    assert "posterior of calibration run 7" in _section(text, "Sampled uncertainties")


def test_posterior_is_named_with_its_ranges(batch, page):
    """A batch drawing from the shipped posterior says so: the file, the fit, and for each fitted parameter
    "posterior" with the prior range beside the posterior range the batch drew."""
    from sim.calibration.posterior import read_posterior, shipped_posterior

    text, _ = page
    section = _section(text, "Sampled uncertainties")
    posterior = read_posterior(shipped_posterior("eskilstuna"))
    fitted = [str(n) for n in posterior["parameter"].values]
    assert batch.attrs["posterior_parameters"].split(", ") == fitted
    assert "<code>calibration/posterior_eskilstuna.nc</code>" in section
    assert words(posterior.attrs["scenario"]) in section   # the fit's hindcast
    assert f"Its {len(fitted)} fitted parameters" in section
    rows = {row[0]: row[1:] for row in Page(section).tables[0]}
    for name in fitted:
        drawn = batch[name].sel(scenario="base")
        low, high = (float(drawn.quantile(q, "run")) for q in (0.05, 0.95))
        prior = parse_scenario(scenario_text()).uncertainties[name]
        assert rows[words(name)][2:] == ["posterior (prior uniform)", f"prior {prior.low:.3g} to {prior.high:.3g}",
                                         f"{low:.3g} to {high:.3g}"], name
    assert "discount_rate_firms" not in fitted and rows["discount rate firms"][2] == "uniform"   # from its range


def test_prior_source_is_said(batch, tmp_path):
    ds = batch.copy()
    ds.attrs = {k: v for k, v in ds.attrs.items() if not k.startswith("posterior")} | {"parameter_source": "prior"}
    section = _section(sim_report(ds, tmp_path / "r.html"), "Sampled uncertainties")
    assert "<b>Parameter source</b>: the prior" in section and "posterior (" not in section


def test_extra_sections_follow_the_uncertainties(page):
    text, _ = page
    assert "<h2>Investment plan &lt;per lever&gt;</h2><p id=plan>the plan's table</p>" in text
    assert text.index("<h2>Sampled uncertainties</h2>") < text.index("<h2>Investment plan") < text.index(
        "<h2>Scenario files</h2>")


def test_negative_pledge_gap_is_explained(page):
    text, _ = page
    assert "<b>negative</b> gap means the pledges delivered more than was committed" in _section(text, "Pledge gap")


def _labelled(ax) -> list[str]:
    return [a.get_label() for a in ax.lines + ax.collections if not a.get_label().startswith("_")]


ALLOWED = {c.lower() for c in OKABE_ITO.values()} | {"#666666", "#000000", "#ffffff"}


def test_figures_are_readable_at_print_size(batch):
    """Print width, type >= the minimum, labelled axes, one legend naming every line, Okabe-Ito colours."""
    from sim.report_figures import report_charts
    with print_style():
        sections = report_charts(batch)
        charts = [c for charts in sections.values() for c in charts]
        assert len(charts) == 7 and "Adoption" in sections
        for chart in charts:
            fig = chart.fig
            fig.canvas.draw()
            assert fig.get_figwidth() <= PRINT_WIDTH_IN + 1e-9
            texts = [t for t in fig.findobj(matplotlib.text.Text) if t.get_visible() and t.get_text().strip()]
            small = [(t.get_text(), t.get_fontsize()) for t in texts if t.get_fontsize() < MIN_FONT_PT]
            assert not small, small
            assert len(fig.legends) == 1 and not any(ax.get_legend() for ax in fig.axes)
            box = fig.legends[0].get_window_extent()
            assert fig.bbox.contains(box.x0, box.y0) and fig.bbox.contains(box.x1, box.y1)   # not clipped
            legend = {t.get_text() for t in fig.legends[0].get_texts()}
            for ax in (ax for ax in fig.axes if ax.get_visible()):
                assert ax.get_xlabel() and ax.get_ylabel(), ax.get_title()
                assert re.search(r"%|kt CO2|count", ax.get_ylabel()), ax.get_ylabel()   # the units
                assert set(_labelled(ax)) <= legend, set(_labelled(ax)) - legend
                for line in ax.lines:
                    assert matplotlib.colors.to_hex(line.get_color()) in ALLOWED, line.get_label()
            matplotlib.pyplot.close(fig)


def test_no_line_lies_hidden_under_the_net_emissions(batch):
    """Territorial emissions and net emissions with offsets are drawn only where they differ from net emissions."""
    from sim.report import draw_net_emissions, pyplot
    plt = pyplot()
    one = batch.sel(scenario="base")
    one["net_emissions"] = one["emissions"].sum("sector")          # no removals
    one["net_emissions_with_offsets"] = one["net_emissions"]       # no offsets bought
    assert one.attrs["target_compensation_counts"] == 1
    fig, ax = plt.subplots()
    draw_net_emissions(ax, one)
    assert not [label for label in _labelled(ax) if "territorial" in label or "offsets" in label], _labelled(ax)
    one["net_emissions_with_offsets"] = one["net_emissions"] - 5_000.0
    one["net_emissions"] = one["net_emissions"] - 1_000.0
    ax.clear()
    draw_net_emissions(ax, one)
    lines = {line.get_label(): line for line in ax.lines}
    np.testing.assert_allclose(lines["net emissions, offsets counted (median)"].get_ydata(),
                               one["net_emissions_with_offsets"].median("run") / 1e3)
    assert "territorial emissions (median)" in lines
    plt.close(fig)


def test_scenarios_differ_by_colour_and_style_and_shares_are_apart_from_counts(batch):
    from sim.report_figures import adoption_chart, side_by_side_chart
    names = list(batch["scenario"].values)
    with print_style():
        chart = side_by_side_chart(batch, names)
        medians = [line for line in chart.fig.axes[0].lines if line.get_label().endswith(", median")]
        assert len(medians) == 2
        first, second = medians
        assert first.get_color() != second.get_color() and first.get_linestyle() != second.get_linestyle()
        assert first.get_linewidth() > second.get_linewidth()     # the first shows around the second where equal
        median = batch["net_emissions"].sel(scenario=names[1]).median("run") / 1e3
        np.testing.assert_allclose(second.get_ydata(), median)
        adoption = adoption_chart(batch, names)
        labels = [ax.get_ylabel() for ax in adoption.fig.axes if ax.get_visible()]
        assert all(("%" in label) != ("count" in label) for label in labels), labels
        matplotlib.pyplot.close("all")
