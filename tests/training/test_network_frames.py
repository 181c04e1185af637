"""The 'network' frame of a small dense net on 2-D data (core/training/netframes.py), the forward trace of one
input (core/model/trace.py) and one step seen weight by weight (core/training/trace.py), on real training with
the real run store."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from core.data import load_builtin
from core.model import forward_trace, load_checkpoint, model_state, network_for
from core.runs import Store
from core.runs import worker
from core.spec import LayerSpec, NetworkSpec, TrainSpec
from core.training import (EpochReport, NetworkFrames, StoreRecorder, Trainer, boundary_points, decode_network,
                           diagram_problem, frame_body, netframes, seed_everything, step_trace)


def trained(spiral, hidden=(8, 8), activation="tanh", epochs=6, home=None):
    """A net trained on the spiral with the network frames on, into a store when `home` is given."""
    spec = TrainSpec(epochs=epochs, batch_size=32, lr=0.03, seed=0, device="cpu")
    network = NetworkSpec.dense(list(hidden), activation)
    seed_everything(0)
    net = network_for(network, spiral, spec.loss)
    frames = NetworkFrames(interval_s=0.0)          # every logged epoch
    callbacks = [frames]
    store = run_id = None
    if home is not None:
        store = Store(home)
        run_id = store.create_run(name="t", dataset=spiral.ref.to_dict(), network=network.to_dict(), train=spec.to_dict())
        callbacks.append(StoreRecorder(store, run_id))
    trainer = Trainer(net, spiral, spec, callbacks=callbacks)
    trainer.fit()
    return net, trainer, store, run_id


def test_each_neuron_grid_is_a_forward_pass_of_the_stored_weights(spiral, tmp_path):
    net, trainer, store, run_id = trained(spiral, home=tmp_path)
    rows = store.frames(run_id, "network")
    assert len(rows) >= 2
    frame = decode_network(rows[-1][2])
    assert frame.sizes == [2, 8, 8, 2] and frame.acts == ["tanh", "tanh", "linear"]
    # the last frame holds the final weights, the same as the run's last checkpoint
    state = model_state(load_checkpoint(store.checkpoint_path(run_id, "epoch", trainer.epoch))[0])
    for i, k in enumerate((0, 2, 4)):
        assert np.array_equal(frame.weights[i], state[f"body.{k}.weight"].numpy())
        assert np.array_equal(frame.biases[i], state[f"body.{k}.bias"].numpy())
    # each neuron's picture is what the stored weights compute at each cell, to one step of 255 of its range
    grid = boundary_points(frame.extent, frame.res)
    trace = forward_trace(frame_body(frame), grid)
    for layer, (g, t) in enumerate(zip(frame.grids, trace)):
        want = (t["post"] if layer < len(trace) - 1 else t["pre"]).T.reshape(g.shape)
        span = want.max(axis=(1, 2)) - want.min(axis=(1, 2))
        assert np.all(np.abs(g - want) <= span[:, None, None] / 255 * 0.51 + 1e-5)
    # and what the trained network itself computes there
    with torch.no_grad():
        hidden = net.body[1](net.body[0](torch.as_tensor(grid))).numpy()
    assert np.allclose(frame.grids[0].reshape(8, -1), hidden.T, atol=2 / 255)
    store.close()


def test_the_trace_and_the_step_match_autograd(spiral):
    net, trainer, _, _ = trained(spiral, hidden=(6, 5), activation="relu", epochs=2)
    X, y = spiral.X_train[:16], spiral.y_train[:16]
    trace = forward_trace(net.body, X[:1])
    with torch.no_grad():
        assert np.allclose(trace[-1]["post"], net(torch.as_tensor(X[:1])).numpy(), atol=1e-6)
        first = net.body[0](torch.as_tensor(X[:1])).numpy()
    assert np.allclose(trace[0]["pre"], first) and np.allclose(trace[0]["post"], np.maximum(first, 0))
    for optimizer in ("sgd", "adam"):
        spec = TrainSpec(optimizer=optimizer, lr=0.05, device="cpu")
        before = [p.detach().clone() for p in net.parameters()]
        seen = step_trace(net.body, spec, trainer.loss_name, X, y)
        assert all(torch.equal(a, p) for a, p in zip(before, net.parameters()))     # the network is left as it was
        net.zero_grad()
        loss = torch.nn.functional.cross_entropy(net(torch.as_tensor(X)), torch.as_tensor(y))
        loss.backward()
        assert seen["loss"] == pytest.approx(float(loss.detach()), rel=1e-6)
        for layer, k in zip(seen["layers"], (0, 2, 4)):
            assert np.allclose(layer["grad"], net.body[k].weight.grad.numpy(), atol=1e-7)
            assert np.allclose(layer["bias_grad"], net.body[k].bias.grad.numpy(), atol=1e-7)
            if optimizer == "sgd":          # plain SGD: the update is −lr × gradient
                assert np.allclose(layer["update"], -layer["lr_grad"], atol=1e-7)
            else:                           # Adam's first step moves each weight by lr (its sign) where it has a gradient
                moved = np.abs(layer["update"][np.abs(layer["grad"]) > 1e-6])
                assert np.allclose(moved, 0.05, rtol=1e-3)


def test_the_cadence_is_bounded(spiral, monkeypatch):
    seed_everything(0)
    net = network_for(NetworkSpec.dense([4]), spiral)
    trainer = Trainer(net, spiral, TrainSpec(epochs=1000, device="cpu"))
    clock = [0.0]
    monkeypatch.setattr(netframes.time, "perf_counter", lambda: clock[0])
    cb = NetworkFrames(interval_s=0.25)
    got = []
    for i in range(200):                   # logged epochs every 0.05 s for 10 s
        clock[0] = i * 0.05
        report = EpochReport(i, i, [])
        cb.on_evaluate(trainer, report)
        got.append("network" in report.frames)
    times = np.flatnonzero(got) * 0.05
    assert len(times) == 40                # one every 0.25 s: at most four a second, and at least one
    assert np.all(np.diff(times) >= 0.25 - 1e-9) and np.all(np.diff(times) <= 1.0)
    trainer.epoch = trainer.spec.epochs    # the last epoch always gets one
    report = EpochReport(trainer.epoch, 0, [])
    cb.on_evaluate(trainer, report)
    assert "network" in report.frames


def test_only_small_dense_nets_on_2d_data_get_the_diagram(spiral):
    cancer = load_builtin("breast_cancer")
    big = NetworkSpec.dense([32, 32])
    deep = NetworkSpec.dense([4] * 7)
    normed = NetworkSpec(layers=[LayerSpec(units=8, batch_norm=True)])
    assert NetworkFrames.for_trainer_of(network_for(NetworkSpec.dense([16] * 6), spiral), spiral) is not None
    for network, ds, words in ((big, spiral, "widest of 32"), (deep, spiral, "7 hidden layers"),
                               (normed, spiral, "batch norm"), (NetworkSpec.dense([8]), cancer, "30 input columns")):
        net = network_for(network, ds)
        assert NetworkFrames.for_trainer_of(net, ds) is None
        assert words in diagram_problem(net.body, ds.n_features)


@pytest.mark.parametrize("hidden, expect", [([8, 8], True), ([32, 32], False)])
def test_the_worker_records_the_frames_only_for_small_nets(spiral, tmp_path, hidden, expect):
    with Store(tmp_path) as store:
        spec = TrainSpec(epochs=3, device="cpu")
        run_id = store.create_run(name="w", dataset=spiral.ref.to_dict(), network=NetworkSpec.dense(hidden).to_dict(),
                                  train=spec.to_dict())
    assert worker.run(run_id, str(tmp_path)) == 0
    with Store(tmp_path) as store:
        frames = store.frames(run_id, "network")
        assert bool(frames) == expect
        assert store.frames(run_id, "hist")        # every net keeps its per-layer pictures
        if expect:
            assert max(len(d) for _, _, d in frames) < 8_000    # a few KB a frame
