"""How the report's figures look: print size, type size, a colour-blind-safe palette (the words are :mod:`sim.words`).

A figure is drawn at most :data:`PRINT_WIDTH_IN` wide (A4 portrait less 15 mm margins) and shown in
the HTML at that size, so :data:`MIN_FONT_PT` is the smallest type on paper as well as on screen.
The colours are Okabe and Ito's palette (Okabe & Ito 2008, "Color Universal Design"), told apart
under the common colour-vision deficiencies; scenarios differ by line style as well as colour.
"""
from __future__ import annotations

import base64
import html
import io

import matplotlib
from matplotlib.figure import Figure

from .words import unit_words, words  # noqa: F401  re-exported: modules importing them from here keep working

PRINT_WIDTH_IN = 6.7
"""Widest figure, inches: A4 portrait (8.27 in) less two 15 mm margins, rounded down."""
FONT_PT = 10.0
"""Body type of the figures (axis labels, titles), points."""
MIN_FONT_PT = 9.0
"""Smallest type in a figure (ticks, legends, notes), points."""
DPI = 150
"""Pixels per inch of the embedded PNGs (sharp on screens with twice the pixel density of print's 96/in)."""
CSS_PX_PER_IN = 96

OKABE_ITO = {"black": "#000000", "orange": "#E69F00", "sky blue": "#56B4E9", "bluish green": "#009E73",
             "yellow": "#F0E442", "blue": "#0072B2", "vermillion": "#D55E00", "reddish purple": "#CC79A7"}
SCENARIO_COLOURS = tuple(OKABE_ITO[c] for c in ("blue", "vermillion", "bluish green", "reddish purple",
                                                "orange", "sky blue"))
SCENARIO_LINESTYLES = ("-", "--", "-.", ":")
GREY = "#666666"


def print_style():
    """A matplotlib rc context: plain text (no mathtext or LaTeX: names are the user's), print-size type."""
    return matplotlib.rc_context({
        "text.usetex": False, "text.parse_math": False,
        "font.size": FONT_PT, "axes.titlesize": FONT_PT, "axes.labelsize": FONT_PT,
        "xtick.labelsize": MIN_FONT_PT, "ytick.labelsize": MIN_FONT_PT, "legend.fontsize": MIN_FONT_PT,
        "legend.title_fontsize": MIN_FONT_PT, "figure.titlesize": FONT_PT + 1,
        "axes.prop_cycle": matplotlib.cycler(color=list(SCENARIO_COLOURS)),
    })


SAMPLERS = {"lhs": "Latin hypercube", "sobol": "scrambled Sobol", "random": "plain Monte Carlo"}


def scenario_style(k: int) -> dict[str, object]:
    """Colour, line style and width of the ``k``-th scenario's median line.

    Colours and styles both differ, so the lines part in grey print too; each line is thinner than
    the one before, so where two scenarios agree the first still shows around the second's dashes.
    """
    return {"color": SCENARIO_COLOURS[k % len(SCENARIO_COLOURS)],
            "linestyle": SCENARIO_LINESTYLES[k % len(SCENARIO_LINESTYLES)], "lw": max(3.0 - 0.8 * k, 1.2)}


def sampler_words(ds) -> str:
    """The batch's sampler in words ("Latin hypercube" for ``lhs``)."""
    sampler = str(ds.attrs.get("sampler", ""))
    return SAMPLERS.get(sampler, sampler)


def figure_legend(fig: Figure, columns: int = 2) -> None:
    """One legend for the whole figure, below its axes, naming every labelled line and band once.

    In ``columns`` columns, or fewer where the labels would be wider than the figure (and clipped).
    """
    handles, labels = [], []
    for ax in fig.axes:
        for handle, label in zip(*ax.get_legend_handles_labels()):
            if label not in labels:
                handles.append(handle)
                labels.append(label)
    for ncols in range(columns, 0, -1):
        legend = fig.legend(handles, labels, loc="outside lower center", ncols=ncols, frameon=False)
        if ncols == 1 or legend.get_window_extent(fig.canvas.get_renderer()).width <= fig.bbox.width:
            return
        legend.remove()


def figure_html(fig: Figure, alt: str) -> str:
    """The figure as an ``<img>`` with a data URL, shown at its print size, with ``alt`` (escaped) as its text."""
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI)
    width = round(fig.get_figwidth() * CSS_PX_PER_IN)
    plt.close(fig)
    return (f"<img width={width} alt=\"{html.escape(alt)}\" "
            f"src='data:image/png;base64,{base64.b64encode(buffer.getvalue()).decode()}'>")
