"""Bar charts drawn as inline SVG on the server (no script): the frame and the bands every chart lays out.

An area's chart (complaints per month, a KPI's trend) subclasses `BarChart` with what else its template draws.
"""
from dataclasses import dataclass, field


@dataclass
class BarChart:
    """The plot runs from `left` to `right` and from `top` down to `baseline` (the zero line)."""
    width: int
    height: int
    left: int
    right: int                                    # x of the plot's right edge
    top: int
    plot_h: float                                 # the plot's height, zero line or not
    baseline: float
    bars: list = field(default_factory=list)      # dicts: x, y, w, h, cls, title (and what the chart adds)
    labels: list = field(default_factory=list)    # dicts: x, y, text

    @classmethod
    def framed(cls, width, height, margins):
        """A chart `width` × `height` with (left, right, top, bottom) margins around the plot."""
        left, right, top, bottom = margins
        return cls(width, height, left, width - right, top, height - top - bottom, height - bottom)

    def bands(self, n, fill, least=0):
        """n equal bands across the plot, each bar centred in its band: (index, bar x, bar width, band width)."""
        band = (self.right - self.left) / n
        w = max(band * fill, least)
        for i in range(n):
            yield i, self.left + i * band + (band - w) / 2, w, band
