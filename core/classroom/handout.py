"""The class's hand-out: the data, network and training settings the teacher hands out, kept in the
workspace's run store, for every student's Data, Build and Train pages to open with.

Only the teacher may hand settings out or take them back (access.py); anyone in the class may read them.
The settings are checked and kept in the form the pages keep them (DatasetRef, NetworkSpec and TrainSpec
dicts), so what a student receives is what the teacher had.
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass

from core.data import DataError, DatasetRef
from core.spec import NetworkSpec, SpecError, TrainSpec

from .access import teacher_view

TABLE = ("CREATE TABLE IF NOT EXISTS handout (id INTEGER PRIMARY KEY CHECK (id = 1), dataset TEXT NOT NULL, "
         "network TEXT NOT NULL, train TEXT NOT NULL, by TEXT, time REAL NOT NULL)")


class HandoutError(ValueError):
    """Settings that cannot be handed out, saying which and how to fix them."""


@dataclass(frozen=True)
class Handout:
    dataset: dict                        # DatasetRef.to_dict()
    network: dict                        # NetworkSpec.to_dict()
    train: dict                          # TrainSpec.to_dict()
    by: str | None                       # the teacher's person id
    time: float                          # when it was handed out

    @property
    def settings(self) -> tuple[dict, dict, dict]:
        return self.dataset, self.network, self.train


def normalised(dataset, network, train) -> tuple[dict, dict, dict]:
    """The three settings as the pages keep them, checked; HandoutError naming the page to fix one on."""
    try:
        ref = DatasetRef.from_dict(dataset).to_dict()
    except DataError as e:
        raise HandoutError(f"The data cannot be handed out: {e} Pick the data again on the Data page.") from None
    try:
        net = NetworkSpec.from_dict(network).validate().to_dict()
    except SpecError as e:
        raise HandoutError(f"The network cannot be handed out: {e}. Fix it on the Build page.") from None
    try:
        spec = TrainSpec.from_dict(train).validate().to_dict()
    except SpecError as e:
        raise HandoutError(f"The training settings cannot be handed out: {e}. Fix them on the Train page.") from None
    return ref, net, spec


def _db(view):
    view.ensure_tables(TABLE, "handout")   # a scoped view passes its store's through
    return view.db


def hand_out(view, dataset, network, train) -> Handout:
    """Make these settings the class's hand-out (replacing any earlier one); the teacher's view only."""
    teacher_view(view)
    ref, net, spec = normalised(dataset, network, train)
    now = time.time()
    _db(view).execute("INSERT INTO handout (id, dataset, network, train, by, time) VALUES (1,?,?,?,?,?) ON CONFLICT "
                      "(id) DO UPDATE SET dataset=excluded.dataset, network=excluded.network, train=excluded.train, "
                      "by=excluded.by, time=excluded.time",
                      (json.dumps(ref), json.dumps(net), json.dumps(spec), view.person.id, now))
    return Handout(ref, net, spec, view.person.id, now)


def current_handout(view) -> Handout | None:
    """The class's hand-out, or None when the teacher has handed nothing out (or it cannot be read)."""
    row = _db(view).execute("SELECT dataset, network, train, by, time FROM handout WHERE id=1").fetchone()
    if row is None:
        return None
    try:
        return Handout(json.loads(row[0]), json.loads(row[1]), json.loads(row[2]), row[3], float(row[4]))
    except (TypeError, ValueError):
        return None


def withdraw_handout(view) -> bool:
    """Take the hand-out back (students keep what they already have); True if there was one."""
    teacher_view(view)
    return _db(view).execute("DELETE FROM handout WHERE id=1").rowcount == 1
