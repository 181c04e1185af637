"""What a person sees of a chart or a table in the real page: the rendered boxes of a plotly chart's
parts (plot area, legend, axis titles, annotations, text labels, legend swatches) and whether a
table or a text box needs scrolling to be read in full."""
from __future__ import annotations

from dataclasses import dataclass

_CHART_JS = """chart => {
  const box = e => { const b = e.getBoundingClientRect();
                     return [b.left, b.top, b.right, b.bottom]; };
  const all = s => Array.from(chart.querySelectorAll(s));
  const swatch = t => { const p = t.querySelector('.legendpoints path, .legendpoints .point');
                        if (!p) return null; const c = getComputedStyle(p);
                        return [c.fill, c.fillOpacity, c.opacity, c.stroke].join(' '); };
  return {
    svg: box(chart.querySelector('.main-svg')),
    plots: all('.nsewdrag').map(box),
    legend: all('.legend .bg').map(box),
    legend_items: all('.legend .traces').map(t => ({text: t.querySelector('.legendtext').textContent,
                                                    swatch: swatch(t), box: box(t)})),
    xtitles: all('.g-xtitle text').map(box),
    ytitles: all('.g-ytitle text').map(box),
    titles: all('.g-gtitle text').map(box),
    annotations: all('.annotation').map(a => ({text: a.textContent, box: box(a.querySelector('.annotation-text-g') || a)})),
    labels: all('.textpoint').map(t => ({text: t.textContent, box: box(t)})),
  };
}"""


@dataclass(frozen=True)
class Box:
    left: float
    top: float
    right: float
    bottom: float

    @property
    def width(self) -> float:
        return self.right - self.left

    @property
    def height(self) -> float:
        return self.bottom - self.top

    def overlaps(self, other: "Box", tolerance: float = 0.5) -> bool:
        return (min(self.right, other.right) - max(self.left, other.left) > tolerance
                and min(self.bottom, other.bottom) - max(self.top, other.top) > tolerance)

    def contains(self, other: "Box", tolerance: float = 0.5) -> bool:
        return (other.left >= self.left - tolerance and other.right <= self.right + tolerance
                and other.top >= self.top - tolerance and other.bottom <= self.bottom + tolerance)


def chart_parts(chart) -> dict:
    """The boxes (in page pixels) of a rendered plotly chart's parts; `chart` is a locator of its
    stPlotlyChart element (or anything holding one .js-plotly-plot)."""
    chart.locator(".main-svg").first.wait_for(timeout=30_000)
    raw = chart.locator(".js-plotly-plot").first.evaluate(_CHART_JS)
    out = {k: (Box(*v) if k == "svg" else [Box(*b) for b in v])
           for k, v in raw.items() if k not in ("legend_items", "annotations", "labels")}
    for k in ("legend_items", "annotations", "labels"):
        out[k] = [{**item, "box": Box(*item["box"])} for item in raw[k]]
    return out


def scrolls_sideways(element) -> dict:
    """{'content': width of what is drawn, 'visible': width shown} of a table (st.dataframe's grid
    scroller) or any element that scrolls; content > visible means part of it is cut off."""
    return element.evaluate("""e => { const s = e.querySelector('.dvn-scroller') || e;
                                       return {content: s.scrollWidth, visible: s.clientWidth}; }""")
