"""Text labels beside the points of a scatter chart that do not cover each other or the points.

Plotly places a point's text at one of a few fixed spots and never moves it out of another's way,
so points that lie close together get labels printed over one another. Here each label is given
an offset from its point, in pixels, chosen greedily: the first spot around the point (nearest
first) where the label covers no label placed before it, no point, and stays inside the plot.
The chart then draws each label as an annotation at that offset, with a thin line to its point
when it had to move away from it.
"""
from __future__ import annotations

from dataclasses import dataclass

CHAR_EM = 0.58          # the width of an average character of the charts' sans-serif font, in ems (generous)
LINE_EM = 1.3           # the height of a line of text, in ems
MARKER_PX = 14          # the box a point's marker takes
# directions to try around a point, the nearest spots first: beside it above, then below, then level
DIRECTIONS = [(1, -1), (-1, -1), (1, 1), (-1, 1), (1, 0), (-1, 0), (0, -1), (0, 1)]
RINGS = 6               # spots ever further out; the last ring is 5 × ring_px further than the first


@dataclass(frozen=True)
class Rect:
    left: float
    top: float
    right: float
    bottom: float

    def overlaps(self, other: "Rect", gap: float = 2.0) -> bool:
        return (self.left < other.right + gap and other.left < self.right + gap
                and self.top < other.bottom + gap and other.top < self.bottom + gap)

    def inside(self, width: float, height: float) -> bool:
        return self.left >= 0 and self.top >= 0 and self.right <= width and self.bottom <= height


def text_size(text: str, font_px: float) -> tuple[float, float]:
    """(width, height) in pixels that a line of text takes, estimated on the generous side."""
    return len(text) * CHAR_EM * font_px, LINE_EM * font_px


def label_box(point: tuple[float, float], offset: tuple[float, float], size: tuple[float, float]) -> Rect:
    """The box of a label centred at point + offset (pixels, y down)."""
    cx, cy = point[0] + offset[0], point[1] + offset[1]
    return Rect(cx - size[0] / 2, cy - size[1] / 2, cx + size[0] / 2, cy + size[1] / 2)


def _candidates(size: tuple[float, float], ring_px: float):
    w, h = size
    for ring in range(RINGS):
        out = ring * ring_px
        for sx, sy in DIRECTIONS:
            dx = sx * (w / 2 + MARKER_PX / 2 + 2 + out) if sx else 0.0
            dy = sy * (h / 2 + MARKER_PX / 2 + out) if sy else 0.0
            yield ring, (dx, dy)


def place_labels(points: list[tuple[float, float]], sizes: list[tuple[float, float]], width: float,
                 height: float, ring_px: float = 14.0) -> list[tuple[tuple[float, float], bool]]:
    """For each point (pixels in a plot `width` × `height`, y down) and its label's size: the label's
    offset from the point and whether it moved away from the point (and so needs a line to it).
    Labels are placed in the order given; one that fits nowhere takes the spot it overlaps least."""
    taken = [label_box(p, (0, 0), (MARKER_PX, MARKER_PX)) for p in points]
    out = []
    for point, size in zip(points, sizes):
        best, best_cost = None, None
        for ring, offset in _candidates(size, ring_px):
            box = label_box(point, offset, size)
            cost = sum(box.overlaps(t) for t in taken) * 10 + (0 if box.inside(width, height) else 5)
            if best_cost is None or cost < best_cost:
                best, best_cost = (offset, ring > 0, box), cost
            if cost == 0:
                break
        offset, moved, box = best
        taken.append(box)
        out.append((offset, moved))
    return out
