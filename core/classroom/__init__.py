"""The class as its teacher sees it: every student's runs at once, and the teacher's hand on them.

  TeachersOnly, teacher_view, is_teacher      class-wide requests are the teacher's alone       access.py
  ClassRun, class_runs, SETTINGS, setting_of, the class's runs with their students; the settings a
  settings_row, results_table, results_csv    chart colours by; the results, one row a run      results.py
  ClassFeed, Curve, CURVES                    every run's curves read incrementally, bounded     feed.py
  pause_all, resume_all, stop_all,            every run at once, through the executor           control.py
  active_count, Outcome
  Handout, HandoutError, hand_out,            the settings the teacher hands out, kept in the
  current_handout, withdraw_handout           run store for every student's pages               handout.py
  Waiting, waiting_runs, Workers, workers     who waits for a worker, their place and about how
                                              long; the pool's workers busy of K                 waiting.py
  Machine, machine                            load average and memory, from /proc                load.py

Each takes the store as the person asking may use it (core.runs.scoped) and refuses a student.
"""
from .access import TeachersOnly, is_teacher, teacher_view
from .control import Outcome, active_count, pause_all, resume_all, stop_all
from .feed import CURVES, ClassFeed, Curve
from .handout import Handout, HandoutError, current_handout, hand_out, withdraw_handout
from .load import Machine, machine
from .results import SETTINGS, ClassRun, class_runs, results_csv, results_table, setting_of, settings_row
from .waiting import Waiting, Workers, waiting_runs, workers

__all__ = [
    "CURVES",
    "ClassFeed",
    "ClassRun",
    "Curve",
    "Handout",
    "HandoutError",
    "Machine",
    "Outcome",
    "SETTINGS",
    "TeachersOnly",
    "Waiting",
    "Workers",
    "active_count",
    "class_runs",
    "current_handout",
    "hand_out",
    "is_teacher",
    "machine",
    "pause_all",
    "results_csv",
    "results_table",
    "resume_all",
    "setting_of",
    "settings_row",
    "stop_all",
    "teacher_view",
    "waiting_runs",
    "withdraw_handout",
    "workers",
]
