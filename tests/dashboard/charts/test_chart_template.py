"""The charts' shared look: the plotly_white template, built once for every figure."""
import cProfile
import pstats

import plotly.graph_objects as go
import pytest
from _plotly_utils.basevalidators import BaseTemplateValidator
import streamlit  # noqa: F401  (a page's figures start from Streamlit's default template)

from dashboard.charts.common import base_layout, legend_below


def named_template(fig, title, height):
    """The figure as plotly makes it when each figure names its template."""
    fig.update_layout(title=title, height=height, margin=dict(l=40, r=20, t=40 if title else 10, b=40),
                      template="plotly_white", legend=legend_below())
    return fig


def bars():
    return go.Figure(go.Bar(x=["a", "b"], y=[1, 2]))


@pytest.mark.parametrize("title", [None, "Loss"])
def test_a_chart_has_the_same_json_as_with_the_named_template(title):
    assert base_layout(bars(), title, 300).to_json() == named_template(bars(), title, 300).to_json()


def test_the_template_is_not_rebuilt_for_every_figure():
    """Naming a template makes plotly validate a deep copy of it (~20 ms); the built one is stored as it is."""
    code = BaseTemplateValidator.validate_coerce.__code__
    profile = cProfile.Profile()
    profile.runcall(base_layout, bars(), "Loss", 300)
    calls = pstats.Stats(profile).stats
    assert (code.co_filename, code.co_firstlineno, code.co_name) not in calls
    profile = cProfile.Profile()
    profile.runcall(named_template, bars(), "Loss", 300)     # what the check looks for does happen there
    assert (code.co_filename, code.co_firstlineno, code.co_name) in pstats.Stats(profile).stats


def test_a_change_to_one_figures_template_leaves_the_next_figure_alone():
    first = base_layout(bars())
    first.layout.template.layout.font.size = 99
    assert base_layout(bars()).layout.template.layout.font.size != 99
    assert base_layout(bars()).to_json() == named_template(bars(), None, 360).to_json()
