"""Report charts drawn as SVG on the server (no script), readable on screen and on paper.

Bars per day reuse the KPI dashboard's layout (app.kpi.charts.trend_chart: each bar carries its value
as text, so a printed page reads in black and white); a scorecard's KPI scores are horizontal bars
against the 60 / 80 / 90 grade lines, laid out here.
"""
import math
from dataclasses import dataclass, field

from app.kpi.charts import TOP, trend_chart
from app.kpi.figure import COUNT, MONEY, Figure

SCORE_WIDTH, ROW_HEIGHT, PAD = 720, 30, 8
GRADE_LINES = (60, 80, 90)
GUTTER = 40          # room left of the plot for the value scale (and the first day's label)
TICKS = 5            # about this many steps up the value scale


def nice_step(top, ticks=TICKS):
    """A round step (1, 2 or 5 times a power of ten) that climbs to `top` in about `ticks` steps."""
    raw = top / ticks
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw)


def tick_text(value, unit):
    """A value on the scale: whole counts, money in thousands from 10,000 (12k)."""
    if unit == MONEY and value >= 10000:
        return '%gk' % (value / 1000)
    return '{:,.0f}'.format(value) if value == int(value) else '{:,}'.format(value)


def value_scale(chart, values, unit=COUNT):
    """The ticks of a bar chart's value scale [{y, text}], read off the chart's own layout (a bar's height over its
    value), so the scale and the bars cannot disagree. Whole numbers only for counts."""
    ticks = [{'y': chart.baseline, 'text': '0'}]
    tallest = max(range(len(values)), key=lambda i: abs(float(values[i] or 0)), default=None)
    if tallest is None or not values[tallest] or len(chart.bars) != len(values):
        return ticks
    per_unit = chart.bars[tallest]['h'] / abs(float(values[tallest]))
    top = (chart.baseline - TOP) / per_unit          # the value at the top of the plot
    step = nice_step(top)
    if unit == COUNT:
        step = max(1, round(step))
    value = step
    while value <= top + 1e-9:
        ticks.append({'y': round(chart.baseline - value * per_unit, 1), 'text': tick_text(value, unit)})
        value += step
    return ticks


def per_day(rows, name, label, attribute, unit=COUNT):
    """A trend chart of one column of the report's day rows (vehicles in, out, revenue), with its value scale."""
    values = [getattr(row, attribute) for row in rows]
    points = [(row.day, Figure(name, label, v, None, v, unit)) for row, v in zip(rows, values)]
    chart = trend_chart(points, by='week')
    chart.gutter = GUTTER
    chart.ticks = value_scale(chart, values, unit)
    return chart


def business_charts(report, labels):
    """The business report's three charts: [(title, chart)], for a week or a month."""
    return [(labels[0], per_day(report.rows, 'vehicles_in', labels[0], 'vehicles_in')),
            (labels[1], per_day(report.rows, 'vehicles_out', labels[1], 'vehicles_out')),
            (labels[2], per_day(report.rows, 'revenue', labels[2], 'revenue', MONEY))]


def band(score):
    """The grade band's CSS class of a score out of 100."""
    if score >= 90:
        return 'rp-excellent'
    if score >= 80:
        return 'rp-good'
    return 'rp-pass' if score >= 60 else 'rp-fail'


@dataclass
class ScoreChart:
    width: int
    height: int
    rows: list = field(default_factory=list)     # dicts: label, ly, bar (dict x, y, w, h, cls) or None, text, tx, ty
    marks: list = field(default_factory=list)    # dicts: x, text (the grade lines)
    bottom: int = 0


def score_bars(items):
    """Horizontal bars for scores out of 100: items = [(label, score or None)]."""
    scale = (SCORE_WIDTH - 2 * PAD - 40) / 100.0
    chart = ScoreChart(SCORE_WIDTH, ROW_HEIGHT * len(items) + 24, bottom=PAD + ROW_HEIGHT * len(items))
    for i, (label, score) in enumerate(items):
        top = PAD + i * ROW_HEIGHT
        row = {'label': label, 'ly': top + 11, 'bar': None, 'text': '', 'tx': 0, 'ty': top + 23}
        if score is not None:
            w = round(float(score) * scale, 1)
            row.update(bar={'x': PAD, 'y': top + 14, 'w': w, 'h': 10, 'cls': band(score)}, text=str(score),
                       tx=round(PAD + w + 4, 1))
        chart.rows.append(row)
    chart.marks = [{'x': round(PAD + mark * scale, 1), 'text': str(mark)} for mark in GRADE_LINES]
    return chart
