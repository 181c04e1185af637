"""The Runs page: every run in the workspace — compare their learning curves and settings, rename,
delete, download.

Public surface:
    runs_message()                        what the last rename or deletion did, once
    runs_overview(runs)                   every run in one table, newest first
    compare(runs)                         pick runs; their validation curves overlaid, their settings side by side
    managed_run(runs) -> Run              the run to rename, delete or download
    rename_or_delete(run)                 rename it; delete it after a confirmation
    downloads(run)                        its spec, metrics, PyTorch code, weights and ONNX model
    sweep_link()                          "Sweep a grid": the Race page in its grid mode
    runs_table(overview), settings_config(labels), MAX_COMPARED   the tables' layout in the page's width
    charts: overlay (pure: curves in, a plotly figure out)
"""
from .charts import overlay
from .compare import compare
from .downloads import downloads
from .manage import managed_run, rename_or_delete, runs_message
from .sweep import sweep_link
from .tables import MAX_COMPARED, runs_overview, runs_table, settings_config

__all__ = ["MAX_COMPARED", "compare", "downloads", "managed_run", "overlay", "rename_or_delete", "runs_message",
           "runs_overview", "runs_table", "settings_config", "sweep_link"]
