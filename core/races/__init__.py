"""Races: one setting tried at several values — the same data, network and seed otherwise — in one request.

  Setting, SETTINGS, setting, parse_values,   the settings a race can vary (optimizer, lr, batch_size, l2,
  apply, RaceError, MIN_VALUES, MAX_VALUES    dropout, init, activation), their values read from text and
                                              applied to a run's specs                          settings.py
  RacePlan, plan_race, start_race,            a race's runs planned and queued through the executor as one
  initial_weights, same_start                 request (a race counts once against the per-person cap);
                                              the weights its runs start from                   start.py
  RaceResult, RaceEntry, race_result,         who won, by how much and how sure, from the store; the
  curves_of                                   curves the race's chart draws                    result.py
  verdict                                     the sentence                                     wording.py
  DEFAULT_RACE, default_race                  the optimiser race on a preset where they clearly differ  preset.py
  plan_grid, parse_grid, read_axes,           grids: several settings at every combination of their values,
  check_size, label_of, grid_title            within max_grid_runs, planned as a race whose runs each try a
                                              combination (started with start_race)             grid.py

The store keeps which runs make a race or a grid (core/runs/race_table.py: list_races, race_members, race_of).
"""
from ..runs.race_table import get_race, list_races, race_members, race_of
from .grid import check_size, grid_title, label_of, parse_grid, plan_grid, read_axes
from .preset import DEFAULT_RACE, default_race
from .result import RaceEntry, RaceResult, curves_of, race_result
from .settings import MAX_VALUES, MIN_VALUES, SETTINGS, RaceError, Setting, apply, parse_values, setting
from .start import RacePlan, initial_weights, plan_race, same_start, start_race
from .wording import verdict

__all__ = ["check_size", "grid_title", "label_of", "parse_grid", "plan_grid", "read_axes", "DEFAULT_RACE", "MAX_VALUES", "MIN_VALUES", "SETTINGS", "RaceEntry", "RaceError", "RacePlan",
           "RaceResult", "Setting", "apply", "curves_of", "default_race", "get_race", "initial_weights",
           "list_races", "parse_values", "plan_race", "race_members", "race_of", "race_result", "same_start",
           "setting", "start_race", "verdict"]
