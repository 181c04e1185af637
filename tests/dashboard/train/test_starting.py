"""dashboard/train/starting.py: which presses of Start repeat the last one (one click burst, one run)."""
from __future__ import annotations

from core.runs import Store
from dashboard.train.starting import BURST_S, fingerprint, repeat_of


def test_same_settings_same_fingerprint_and_any_change_another():
    ref, net, train = {"name": "spiral"}, {"layers": [{"units": 8}]}, {"lr": 0.01, "seed": 0}
    assert fingerprint(ref, net, train) == fingerprint(dict(ref), {"layers": [{"units": 8}]}, {"seed": 0, "lr": 0.01})
    assert fingerprint(ref, net, train) != fingerprint(ref, net, {**train, "seed": 1})
    assert fingerprint(ref, net, train) != fingerprint({"name": "moons"}, net, train)


def test_a_press_repeats_the_last_start_while_it_is_recent_or_its_run_still_trains(tmp_path):
    store = Store(tmp_path)
    run_id = store.create_run(name="r", dataset={}, network={}, train={}, status="running")
    last = {"fingerprint": "abc", "time": 1000.0, "run": run_id}
    assert repeat_of(last, "abc", 1000.0 + BURST_S / 2, store) == run_id          # the same burst
    assert repeat_of(last, "abd", 1000.0 + 0.1, store) is None                  # other settings
    assert repeat_of(last, "abc", 1000.0 + 600, store) == run_id                # still training
    store.update_run(run_id, status="finished")
    assert repeat_of(last, "abc", 1000.0 + 600, store) is None                  # done: train it again
    assert repeat_of(None, "abc", 1000.0, store) is None
    store.delete_run(run_id)
    assert repeat_of(last, "abc", 1000.0 + 600, store) is None
    store.close()
