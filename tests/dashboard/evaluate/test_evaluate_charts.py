"""The Evaluate page's charts: pure functions, data in → plotly figure out."""
import numpy as np

from dashboard.evaluate import charts


def test_image_grid_takes_as_many_rows_of_images_as_the_page_can_ask_for():
    images = np.random.default_rng(0).random((60, 8, 8))          # the slider's maximum: ten rows of six
    fig = charts.image_grid(images, [f"true {k % 10} → {(k + 1) % 10}" for k in range(60)])
    assert len(fig.data) == 60 and len(fig.layout.annotations) == 60
    tops = sorted({round(a.y, 4) for a in fig.layout.annotations}, reverse=True)
    assert len(tops) == 10                                        # one caption line per row of images


def test_a_few_images_are_drawn_as_large_as_a_full_row_of_them():
    rng = np.random.default_rng(1)
    few = charts.image_grid(rng.random((2, 8, 8)), ["a", "b"])
    full = charts.image_grid(rng.random((12, 8, 8)), list("abcdefghijkl"))
    assert few.layout.xaxis.domain == full.layout.xaxis.domain    # not stretched over the whole width
