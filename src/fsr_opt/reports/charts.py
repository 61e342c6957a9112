"""sweep.png: the amount of each service line against the swept value (matplotlib, Agg).

The figure is drawn on matplotlib's object API with the Agg canvas, never through pyplot: no
global state, no display needed, safe on a server. matplotlib is imported when a chart is
drawn, not when the command line starts (it takes a noticeable fraction of a second).
"""

from __future__ import annotations

import io
import logging
import math

from fsr_opt.core.schema import RuleSet
from fsr_opt.core.words import money, phrases
from fsr_opt.whatif.sweep import SweepAxis, SweepOutcome

# Distinct colours (matplotlib's tab10, then two more); the line style tells the areas apart.
_COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
            "#7f7f7f", "#bcbd22", "#17becf", "#000000", "#b15928")

def sweep_chart_png(outcome: SweepOutcome, axis: SweepAxis, rules: RuleSet,
                    lang: str = "it") -> bytes:
    """Draw one line per service line: its award at each finished point.

    Points without a riparto (infeasible, solver failure) are gaps in the lines.

    Returns:
        The PNG file's bytes.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: PLC0415
    from matplotlib.figure import Figure  # noqa: PLC0415
    from matplotlib.ticker import FuncFormatter  # noqa: PLC0415

    # matplotlib logs its font search at DEBUG: it would drown the output of --verbose.
    logging.getLogger("matplotlib").setLevel(logging.WARNING)
    w = phrases("chart", lang)
    figure = Figure(figsize=(10, 5.6), dpi=100)
    FigureCanvasAgg(figure)
    plot = figure.add_subplot(1, 1, 1)
    xs = [float(row.value) for row in outcome.rows]
    count = sum(len(area.services) for area in rules.areas)
    colours = [_COLOURS[i % len(_COLOURS)] for i in range(count)]
    styles = ("-", "--", ":", "-.")
    index = 0
    for area_index, area in enumerate(rules.areas):
        for service in area.services:
            ys = [row.awarded.get(service.code, 0) / 100 if row.status == "optimal" else math.nan
                  for row in outcome.rows]
            label = service.label if len(service.label) <= 45 else service.label[:44] + "\u2026"
            plot.plot(xs, ys, marker="o", markersize=3, linewidth=1.4, label=label,
                      color=colours[index], linestyle=styles[area_index % len(styles)])
            index += 1

    def euros(value: float, _position: float) -> str:
        return money(round(value * 100), lang)[:-3]

    plot.yaxis.set_major_formatter(FuncFormatter(euros))
    if axis.area is None:
        plot.xaxis.set_major_formatter(FuncFormatter(euros))
        plot.set_xlabel(w("budget"))
        what = w("fund")
    else:
        plot.set_xlabel(w("share").format(area=axis.area))
        what = w("share_of").format(area=axis.area)
    plot.set_ylabel(w("awarded"))
    title = w("title").format(year=rules.year, ambito=rules.ambito, what=what)
    if outcome.interrupted:
        title += "\n(" + w("interrupted").format(done=len(outcome.rows),
                                                     total=outcome.total) + ")"
    plot.set_title(title, fontsize=11)
    plot.grid(True, linewidth=0.4, alpha=0.6)
    plot.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()

