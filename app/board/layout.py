"""How the wall screen (1920x1080) fits every open car: nothing is ever hidden behind "+N more".

A quiet day keeps the big cards, one lane (card column) per stage. When a stage has more cars than that
shows, the wall switches to small cards on a finer grid: each stage gets lanes in proportion to its cars
(at least one), and if the whole shop still does not fit on one screen, the board pages itself: every
stage shows its most urgent cars on page 1, the next ones on page 2, and so on; the screen turns the
pages by itself (static/board.js), so every car is on the wall within one turn of the pages.
"""
from dataclasses import dataclass
from math import ceil

# (name, lanes across the screen, cards one lane holds): tried in this order, the first that fits one page wins.
NORMAL = ('normal', 9, 5)
DENSE = ('dense', 12, 14)
PAGE_SECONDS = 10       # how long the wall shows each page


@dataclass
class Layout:
    mode: str
    lanes: list         # lanes of each column, in column order
    rows: int           # cards a lane holds
    pages: int

    def per_page(self, i):
        return self.lanes[i] * self.rows

    def page_of(self, i, position):
        """The page (0-based) of the card at `position` (0-based, most urgent first) in column `i`."""
        return position // self.per_page(i)


def _lanes_for(totals, rows, pages):
    return [max(1, ceil(t / (rows * pages))) for t in totals]


def _spread(lanes, totals, width):
    """Give the lanes left over to the columns with the most cards per lane, so the screen is used."""
    lanes = list(lanes)
    while sum(lanes) < width:
        i = max(range(len(lanes)), key=lambda k: (totals[k] / lanes[k], -k))
        lanes[i] += 1
    return lanes


def fit(totals):
    """The layout that shows columns of `totals` cars with the fewest pages (big cards when they fit)."""
    totals = list(totals)
    mode, width, rows = NORMAL
    if len(totals) <= width and all(t <= rows for t in totals):
        return Layout(mode, [1] * len(totals), rows, 1)
    mode, width, rows = DENSE
    width = max(width, len(totals))
    pages = 1
    while sum(_lanes_for(totals, rows, pages)) > width:
        pages += 1
    lanes = _spread(_lanes_for(totals, rows, pages), totals, width)
    return Layout(mode, lanes, rows, max(1, max((ceil(t / (l * rows)) for t, l in zip(totals, lanes)), default=1)))
