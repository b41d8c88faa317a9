"""The business report's per-day charts: a value scale that agrees with the bars, and no label cut off."""
from datetime import date, timedelta
from decimal import Decimal

from app.kpi.figure import MONEY
from app.reports.business import DayRow
from app.reports.charts import nice_step, per_day


def _rows(values, attribute='vehicles_in'):
    start = date(2026, 10, 1)
    return [DayRow(start + timedelta(days=i), **{attribute: v}) for i, v in enumerate(values)]


def test_the_scale_reads_the_bars_heights():
    """A manager could not tell how many cars a bar stands for (the charts had no value scale)."""
    values = [2, 3, 1, 4, 2, 11, 16]
    chart = per_day(_rows(values), 'vehicles_in', 'in', 'vehicles_in')
    assert [t['text'] for t in chart.ticks] == ['0', '5', '10', '15']
    per_car = (chart.ticks[1]['y'] - chart.ticks[2]['y']) / 5
    for bar, v in zip(chart.bars, values):
        assert abs((chart.baseline - bar['y']) - v * per_car) < 0.2      # each bar ends at its value on the scale
    assert 0 <= chart.ticks[-1]['y'] < chart.ticks[-2]['y']                # the top tick inside the chart


def test_money_scale_in_thousands_and_counts_in_whole_steps():
    """A revenue scale in long numbers would not fit; a count scale in halves of a car makes no sense."""
    money = per_day(_rows([Decimal('12345.60'), Decimal('800.00')], 'revenue'), 'revenue', 'r', 'revenue', MONEY)
    assert [t['text'] for t in money.ticks] == ['0', '5,000', '10k']
    few = per_day(_rows([1, 0, 1]), 'vehicles_in', 'in', 'vehicles_in')
    assert [t['text'] for t in few.ticks] == ['0', '1']
    empty = per_day(_rows([0, 0]), 'vehicles_in', 'in', 'vehicles_in')
    assert [t['text'] for t in empty.ticks] == ['0']
    assert nice_step(8.05) == 2 and nice_step(140) == 50 and nice_step(0.7, ticks=5) == 0.2


def test_the_first_day_label_is_not_clipped():
    """The first day's label ("10-01") was cut in half at the chart's left edge."""
    chart = per_day(_rows(list(range(31))), 'vehicles_in', 'in', 'vehicles_in')
    first = chart.labels[0]
    half_label = 13 * len(first['text']) * 0.6 / 2          # 13 px digits, about 0.6 em wide each
    assert first['x'] - half_label > -chart.gutter
