"""The same seed gives the same run through the real worker processes: identical weights (every tensor of
every kept checkpoint, bit for bit) and identical metrics; another seed gives another run."""
from __future__ import annotations

from core.runs import executor
from core.spec import NetworkSpec, TrainSpec
from tests.helpers_runs import kept_weights, outcome, recorded_metrics, weight_differences

TIMEOUT = 180
NET = NetworkSpec.dense([16, 16], "tanh")


def test_the_same_seed_gives_the_same_weights_and_metrics_through_the_workers(store, spiral):
    def submitted(seed: int) -> str:
        spec = TrainSpec(epochs=30, batch_size=16, checkpoint_every=10, seed=seed)
        return executor.submit(store, dataset=spiral.ref.to_dict(), network=NET, train=spec, name=f"seed {seed}")

    first, second, other = submitted(3), submitted(3), submitted(4)       # three workers, side by side
    runs = {r: executor.wait(store, r, timeout=TIMEOUT) for r in (first, second, other)}
    assert [r.status for r in runs.values()] == ["finished"] * 3, [r.error for r in runs.values()]
    weights = {r: kept_weights(store, r) for r in runs}
    metrics = {r: recorded_metrics(store, r) for r in runs}
    assert {("epoch", 10), ("epoch", 20), ("epoch", 30)} <= set(weights[first])
    assert len(metrics[first]) > runs[first].step                        # every step's loss, and more

    assert weight_differences(weights[first], weights[second]) == []
    assert metrics[first].equals(metrics[second])
    assert outcome(runs[first]) == outcome(runs[second])

    # another seed: other starting weights and batches, so other weights and losses (the test can fail)
    last = ("epoch", 30)
    assert weight_differences({last: weights[first][last]}, {last: weights[other][last]}) != []
    assert not metrics[first].equals(metrics[other])
    assert outcome(runs[first]) != outcome(runs[other])
