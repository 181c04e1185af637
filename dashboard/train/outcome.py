"""What a run that no longer trains ended with — finished, stopped, interrupted, diverged or failed —
and what to do next (continue it, resume it, change a setting)."""
from __future__ import annotations

import re

import streamlit as st

from core.runs import executor as jobs
from core.runs import Run, Store
from core.runs.resumes import resume_epoch
from dashboard import keys
from dashboard.people import class_mode
from dashboard.text import md_plain as md

from .charts import format_seconds
from .controls import act


def run_outcome(store: Store, run: Run) -> None:
    """What a run that is no longer training ended with, and what to do next."""
    s = run.summary
    if run.status == "finished":
        score = ""
        if "test_accuracy" in s:
            score = f" Test accuracy **{s['test_accuracy']:.1%}**."
        elif "test_r2" in s:
            score = f" Test R² **{s['test_r2']:.3f}**."
        note = f" ({md(run.error)})" if run.error else ""
        st.success(f"Finished {run.epoch:,} epochs in {format_seconds(s.get('seconds', 0))}{note}.{score} "
                   "Next: judge it on the Evaluate page, or change a setting and train again to compare.")
    elif run.status == "stopped":
        more = run.epoch < int(run.train.get("epochs", 0))
        st.info(f"Stopped at epoch {run.epoch:,} of {run.train.get('epochs', '?'):,}{stop_reason(run.error)}. "
                + (continue_point(store, run) if more else "Its last checkpoint is kept."))
        if more:
            st.button("Continue this run", icon=":material/play_arrow:", key=keys.TRAIN_CONTINUE, on_click=act,
                      args=(jobs.resume, store, run.id), help="Continue from the last checkpoint.")
    elif run.status == "interrupted":
        st.warning(f"This run was interrupted at epoch {run.epoch:,}: {md(interruption_reason(run.error))}. "
                   + resume_point(store, run))
        st.button("Resume", icon=":material/play_arrow:", type="primary", key=keys.TRAIN_RESUME_INTERRUPTED,
                  on_click=act, args=(jobs.resume, store, run.id))
    elif run.status == "diverged":
        st.error("**Training diverged**: " + (md(run.error) if run.error else "the loss became NaN or infinite. Lower the learning "
                                               "rate or turn on gradient clipping, then train again."),
                 icon=":material/warning:")
    elif run.status == "failed":
        log = ("kept on the server, where whoever runs it can read it" if class_mode()
               else f"in `{store.run_dir(run.id) / 'worker.log'}`")
        st.error(f"Training failed: {md(run.error) if run.error else 'the worker stopped with an error'}. Check the data, network "
                 f"and settings, then press Start again; the worker log is {log}.", icon=":material/error:")


def stop_reason(error: str | None) -> str:
    """How a run came to stop, to follow 'Stopped at epoch N of M': ' by request', ' after 14,400 s: a run
    may take…' (the time limit), ': its worker did not stop within…' (a forced stop); '' when unrecorded."""
    text = (error or "").strip().rstrip(".")
    if not text.lower().startswith("stopped"):
        return f" ({md(text)})" if text else ""
    return md(text[len("stopped"):])


def interruption_reason(error: str | None) -> str:
    """Why a run was interrupted, without the advice to resume it (the page gives that once, itself)."""
    reason = re.split(r"[;.,]\s*(?:you can\s+)?resume\b", error or "", maxsplit=1, flags=re.IGNORECASE)[0]
    return reason.strip().rstrip(".;, ") or "its worker stopped"


def resume_point(store: Store, run: Run) -> str:
    """'Resume continues from epoch 37, its last whole checkpoint (epochs 38–40 are trained again).' — the
    epoch the worker will start from — or that it starts over when no checkpoint can be continued from."""
    epoch = resume_epoch(store, run.id)
    if epoch is None:
        return "No checkpoint was kept yet, so Resume starts it again from the beginning."
    return f"Resume continues from epoch {epoch:,}, its last whole checkpoint{_redone(epoch, run.epoch)}."


def continue_point(store: Store, run: Run) -> str:
    """Where continuing a stopped run starts: 'Continuing picks up at epoch 37, its last checkpoint; or ...'."""
    epoch = resume_epoch(store, run.id)
    if epoch is None:
        return "No checkpoint was kept, so continuing starts it again from the beginning; or start a new run."
    return f"Continuing picks up at epoch {epoch:,}, its last checkpoint{_redone(epoch, run.epoch)}; or start a new run."


def _redone(epoch: int, reached: int) -> str:
    """' (epochs 38–40 are trained again)' when the checkpoint is older than the epoch the run reached."""
    if reached <= epoch:
        return ""
    again = f"epoch {reached:,} is" if reached == epoch + 1 else f"epochs {epoch + 1:,}–{reached:,} are"
    return f" ({again} trained again)"
