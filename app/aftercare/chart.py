"""A small stacked bar chart drawn as SVG on the server (no script): complaints per month by cause."""
from dataclasses import dataclass, field

WIDTH, HEIGHT = 720, 240
LEFT, RIGHT, TOP, BOTTOM = 36, 8, 12, 34


@dataclass
class Chart:
    width: int = WIDTH
    height: int = HEIGHT
    bars: list = field(default_factory=list)      # dicts: x, y, w, h, cls, title
    labels: list = field(default_factory=list)    # dicts: x, y, text
    ticks: list = field(default_factory=list)     # dicts: y, text
    totals: list = field(default_factory=list)    # dicts: x, y, text
    baseline: int = HEIGHT - BOTTOM
    left: int = LEFT
    right: int = WIDTH - RIGHT


def _top(value):
    """A round top for the scale (at least 1), so gridlines land on whole numbers."""
    for step in (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000):
        if value <= step * 4:
            return step * 4, step
    return value, max(1, value // 4)


def stacked_months(analysis):
    """Bars for each month of an Analysis, one segment per cause with complaints that month."""
    chart = Chart()
    plot_h = HEIGHT - TOP - BOTTOM
    band = (WIDTH - LEFT - RIGHT) / len(analysis.months)
    bar_w = band * 0.62
    top, step = _top(max(list(analysis.month_totals.values()) + [1]))
    for v in range(0, top + 1, step):
        chart.ticks.append({'y': round(TOP + plot_h - plot_h * v / top, 1), 'text': str(v)})
    for i, month in enumerate(analysis.months):
        x = LEFT + i * band + (band - bar_w) / 2
        y = TOP + plot_h
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
        chart.labels.append({'x': round(x + bar_w / 2, 1), 'y': HEIGHT - BOTTOM + 16,
                             'text': '%02d' % month[1] if month[1] != 1 and i else '%d-%02d' % month})
    return chart
