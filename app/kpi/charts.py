"""A figure's trend as a small bar chart, laid out here and drawn as inline SVG by the template (no script).

Bars are marked good or bad against the target, the target is a dashed line, and every bar carries
its value as text so the chart still reads when printed in black and white.
"""
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from app.core.charts import BarChart
from app.kpi.figure import PERCENT

WIDTH, HEIGHT = 360, 150
LEFT, RIGHT, TOP, BOTTOM = 6, 6, 18, 22


@dataclass
class TrendChart(BarChart):
    """Bars carry text, tx, ty (their value written above) and start, last (their period) besides the frame's."""
    target_y: float = None
    target_text: str = ''
    empty: bool = True


def _plot_value(fig):
    if fig.value is None:
        return None
    return float(fig.value * 100) if fig.unit == PERCENT else float(fig.value)


def _short(fig):
    """The bar's label: short enough for a narrow bar."""
    v = _plot_value(fig)
    if v is None:
        return ''
    if fig.unit == PERCENT:
        return '%.0f' % v if abs(v) >= 10 else '%.1f' % v
    if abs(v) >= 10000:
        return '%.0fk' % (v / 1000)
    if abs(v) >= 100:
        return '%.0f' % v
    return ('%.1f' % v).rstrip('0').rstrip('.') if v != int(v) else '%d' % v


def _label(day, by, first):
    if by == 'month':
        return day.strftime('%Y-%m') if (first or day.month == 1) else day.strftime('%m')
    return day.strftime('%m-%d')


def trend_chart(points, by='week', end=None):
    """Layout for [(bucket start date, Figure)]: bars scaled to the largest value or the target.

    Each bar knows its own period (start, last day) so the template links it to that bucket's rows;
    `end` is the period's exclusive end (the last bucket's end).
    """
    chart = TrendChart.framed(WIDTH, HEIGHT, (LEFT, RIGHT, TOP, BOTTOM))
    if not points:
        return chart
    values = [_plot_value(f) for _d, f in points]
    first = points[0][1]
    target = None
    if first.target is not None:
        target = float(Decimal(first.target) * 100) if first.unit == PERCENT else float(first.target)
    known = [v for v in values if v is not None]
    chart.empty = not known
    lo = min(known + [0.0])
    top = max(known + ([target] if target is not None else []) + [0.0])
    if first.unit == PERCENT and top <= 100:
        top = 100.0 if top > 20 or target else max(top * 1.15, 1.0)
    else:
        top = top * 1.15 or 1.0
    span = top - min(lo, 0.0) or 1.0
    plot_h = chart.plot_h
    zero_y = TOP + plot_h * top / span
    chart.baseline = round(zero_y, 1)
    for (i, x, bar_w, band), (day, fig), v in zip(chart.bands(len(points), 0.7, least=2), points, values):
        cx = round(x + bar_w / 2, 1)
        bucket_end = points[i + 1][0] if i + 1 < len(points) else (end or day + timedelta(days=1))
        if v is not None:
            h = plot_h * abs(v) / span
            y = zero_y - h if v >= 0 else zero_y
            cls = 'kc-none' if fig.ok is None else ('kc-good' if fig.ok else 'kc-bad')
            chart.bars.append({'x': round(x, 1), 'y': round(y, 1), 'w': round(bar_w, 1), 'h': round(max(h, 0.5), 1),
                               'cls': cls, 'title': '%s: %s' % (day.isoformat(), fig.display),
                               'text': _short(fig) if band >= 16 else '', 'tx': cx,
                               'ty': round((y if v >= 0 else y + h + 9) - 3, 1), 'start': day.isoformat(),
                               'last': (bucket_end - timedelta(days=1)).isoformat()})
        if len(points) <= 14 or i % max(1, len(points) // 7) == 0:
            chart.labels.append({'x': cx, 'y': HEIGHT - 6, 'text': _label(day, by, i == 0)})
    if target is not None:
        chart.target_y = round(zero_y - plot_h * target / span, 1)
        chart.target_text = first.target_display
    return chart
