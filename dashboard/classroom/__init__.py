"""The Class page: the teacher's view of every student's runs, and their hand on them.

  teacher_store                   the teacher's view of the store, or a message for anyone else   access.py
  live_class                      every run on one chart and the leaderboard, polled             live.py
  class_lines, leaderboard        what they draw from the class's feed (no streamlit)             lines.py
  server_view                     the queue and the server's load, polled                         server.py
  handout_panel                   hand the teacher's settings out, or take them back              handing.py
  take_handout_if_unchosen,       a student's pages opened with the hand-out, its note and the
  handout_note                    button to take it                                               prefill.py
  class_controls, download        pause, resume or stop every run; the results as CSV             controls.py
summary.py puts settings in words; flash.py keeps a message for the next run.
"""
from .access import teacher_store
from .controls import class_controls, download
from .handing import handout_panel
from .lines import class_lines, leaderboard
from .live import live_class
from .prefill import handout_note, take_handout_if_unchosen
from .server import server_view

__all__ = ["class_controls", "class_lines", "download", "handout_note", "handout_panel", "leaderboard", "live_class",
           "server_view", "take_handout_if_unchosen", "teacher_store"]
