"""A small stacked bar chart drawn as SVG on the server (no script): complaints per month by cause."""
from dataclasses import dataclass, field

from app.core.charts import BarChart

SIZE, MARGINS = (720, 240), (36, 8, 12, 34)     # left, right, top, bottom


@dataclass
class Chart(BarChart):
    ticks: list = field(default_factory=list)     # dicts: y, text
    totals: list = field(default_factory=list)    # dicts: x, y, text


def _top(value):
    """A round top for the scale (at least 1), so gridlines land on whole numbers."""
    for step in (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000):
        if value <= step * 4:
            return step * 4, step
    return value, max(1, value // 4)


def stacked_months(analysis):
    """Bars for each month of an Analysis, one segment per cause with complaints that month."""
    chart = Chart.framed(*SIZE, MARGINS)
    plot_h = chart.plot_h
    top, step = _top(max(list(analysis.month_totals.values()) + [1]))
    for v in range(0, top + 1, step):
        chart.ticks.append({'y': round(chart.baseline - plot_h * v / top, 1), 'text': str(v)})
    for (i, x, bar_w, _band), month in zip(chart.bands(len(analysis.months), 0.62), analysis.months):
        y = chart.baseline
        for key, label in analysis.causes:
            n = analysis.counts[key][month]
            if not n:
                continue
            h = plot_h * n / top
            y -= h
            chart.bars.append({'x': round(x, 1), 'y': round(y, 1), 'w': round(bar_w, 1), 'h': round(h, 1),
                               'cls': 'ac-c-%s' % (key or 'none'),
                               'title': '%04d-%02d · %s: %d' % (month[0], month[1], label, n)})
        total = analysis.month_totals[month]
        if total:
            chart.totals.append({'x': round(x + bar_w / 2, 1), 'y': round(y - 3, 1), 'text': str(total)})
        chart.labels.append({'x': round(x + bar_w / 2, 1), 'y': chart.baseline + 16,
                             'text': '%02d' % month[1] if month[1] != 1 and i else '%d-%02d' % month})
    return chart
