"""The Race page: one setting tried at several values in one click, the runs' curves overlaid live, and who won.

  setup.py    the setting, its values and the Start buttons (the session's data, network and settings, or
              the default optimiser race); starting the race through core.races
  grid.py     the page's mode (one setting, or a grid of several: ?mode=grid), the grid's settings, values and
              Start button; starting the grid through core.races
  view.py     the race shown (?race=ID), its live chart, the sentence and the table (a polling fragment)
  charts.py   the race's chart: a pure function returning a plotly figure
"""
from .grid import grid_panel, race_mode
from .setup import setup_panel
from .view import race_view, shown_race

__all__ = ["grid_panel", "race_mode", "race_view", "setup_panel", "shown_race"]
