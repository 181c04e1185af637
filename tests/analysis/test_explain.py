"""core.analysis.explain: SHAP and LIME of stored runs in the user's own columns, cached in the run folder.

One small German-credit run (text columns one-hot encoded, epoch checkpoints at 10 and 20)
is trained once for the module; everything else uses hand-built models whose answers are known."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from core.analysis import explain, shapley
from core.analysis.explain import ExplainError, RunExplainer, running
from core.runs import Store
from tests.helpers_runs import train_run


@pytest.fixture(scope="module")
def gc_home(tmp_path_factory):
    home = tmp_path_factory.mktemp("explain_home")
    run_id = train_run(home, "german_credit", hidden=(8,), epochs=20, activation="tanh")
    return home, run_id


@pytest.fixture(scope="module")
def ex(gc_home):
    home, run_id = gc_home
    store = Store(home)
    yield RunExplainer.open(store, run_id)
    store.close()


def columns(ex):
    return explain.column_groups(ex.dataset)


def rel_l2(a, ref):
    n = len(ref)
    return np.linalg.norm((a - ref).reshape(n, -1), axis=1) / np.linalg.norm(ref.reshape(n, -1), axis=1)


# ------------------------------------------------------------------ what is explained
def log_odds_of(probabilities) -> np.ndarray:
    p = np.asarray(probabilities, np.float64)
    return np.log(p) - np.log1p(-p)


def test_model_of_folds_batch_norm_and_drops_dropout_without_changing_the_outputs(diabetes):
    """The explained function is an inference copy of the network: the log-odds of its probabilities (or
    values in the target's units), with batch norm folded into the layer before it."""
    from core.data import load_builtin
    from core.model import build_network
    from core.presets import get_preset
    for ds in (load_builtin("breast_cancer"), diabetes):
        torch.manual_seed(0)
        net, _ = build_network(get_preset("regularised").network(), ds)
        for m in net.modules():                  # batch norm statistics far from the identity
            if isinstance(m, torch.nn.BatchNorm1d):
                m.running_mean.uniform_(-1, 1)
                m.running_var.uniform_(0.2, 3)
        net.eval()
        model = explain.model_of(net, ds.class_names)
        assert isinstance(model.fn, shapley.LinearFirst)
        if ds.task == "classification":
            assert not any(isinstance(m, (torch.nn.BatchNorm1d, torch.nn.Dropout)) for m in model.fn.rest.modules())
        x = torch.as_tensor(ds.X_test[:20])
        with torch.no_grad():
            want = log_odds_of(net.predict(x)) if ds.task == "classification" else net.predict(x)[:, None].numpy()
            np.testing.assert_allclose(model.fn(x).numpy(), want, rtol=1e-4, atol=1e-4)
        assert model.space == ("log-odds" if ds.task == "classification" else "value")


def test_run_shap_is_per_original_column_and_additive(ex):
    att = ex.shap("auto", limit=25, background=30)
    ds = ex.dataset
    assert att.method == "exact"                                   # 9 columns: exact by default
    assert att.features == list(ds.original_columns) and att.values.shape == (25, 9, 2)
    assert att.outputs == ["log-odds of 'bad'", "log-odds of 'good'"]
    np.testing.assert_array_equal(att.rows, ds.idx_test[:25])
    assert att.additivity_max_error < 1e-4
    np.testing.assert_allclose(att.fx, log_odds_of(ex.model.proba(ds.X_test[:25])), atol=1e-4)
    s = att.summary()
    assert s["method"] == "shap" and s["shap_method"] == "exact" and s["rows"] == 25 and s["background"] == 30
    assert s["unit"] == "log-odds" and att.unit(1) == "log-odds of 'good'"
    assert list(s["importance"]) == sorted(s["importance"], key=s["importance"].get, reverse=True)
    assert s["grouped"]["purpose"][0].startswith("purpose=") and len(s["grouped"]["purpose"]) == 8
    np.testing.assert_allclose(s["importance"]["age"], np.abs(att.values[:, 8]).mean(), rtol=1e-12)


# ------------------------------------------------------------------ one unit, whatever the head
def two_heads(d: int):
    """The same classifier twice: a 2-logit softmax head (both logits shifted by 3, which changes no
    probability) and a 1-logit sigmoid head whose logit is logit1 - logit0."""
    import copy
    from core.model import Network
    torch.manual_seed(1)
    hidden, two, one = torch.nn.Linear(d, 6), torch.nn.Linear(6, 2), torch.nn.Linear(6, 1)
    with torch.no_grad():
        two.bias.add_(3.0)
        one.weight.copy_(two.weight[1:] - two.weight[:1])
        one.bias.copy_(two.bias[1:] - two.bias[:1])
    return [Network(torch.nn.Sequential(copy.deepcopy(hidden), torch.nn.Tanh(), head), "classification", k).eval()
            for head, k in ((two, 2), (one, 1))]


@pytest.mark.parametrize("method", ["exact", "sampling", "deep", "gradient", "permutation"])
def test_a_softmax_and_a_sigmoid_head_with_the_same_probabilities_get_the_same_values(ex, method):
    """Every method explains the log-odds of each class: the same numbers for a 2-logit softmax and a
    1-logit sigmoid head that give the same probabilities, opposite for the two classes, additive."""
    ds = ex.dataset
    features, groups, _ = columns(ex)
    X, bg = ds.X_test[:4], explain.background_rows(ds, 12, 0)
    softmax, sigmoid = (explain.model_of(net, ds.class_names) for net in two_heads(ds.n_features))
    np.testing.assert_allclose(softmax.proba(X), sigmoid.proba(X), atol=1e-6)
    a = explain.shap_values(softmax, X, bg, features, groups, method, seed=0)
    b = explain.shap_values(sigmoid, X, bg, features, groups, method, seed=0)
    assert a.outputs == b.outputs == ["log-odds of 'bad'", "log-odds of 'good'"]
    assert a.unit(1) == "log-odds of 'good'" and a.summary()["unit"] == "log-odds"
    np.testing.assert_allclose(a.values, b.values, atol=1e-4)
    np.testing.assert_allclose(a.base, b.base, atol=1e-4)
    np.testing.assert_allclose(a.values[..., 0], -a.values[..., 1], atol=1e-5)
    np.testing.assert_allclose(a.fx[:, 1], log_odds_of(softmax.proba(X)[:, 1]), atol=1e-4)
    if explain.METHODS[method].additive:
        assert a.additivity_max_error < 1e-4 and b.additivity_max_error < 1e-4


def test_lime_fits_the_same_log_odds_whatever_the_head(ex):
    ds = ex.dataset
    codes = ds.codes(ds.raw.iloc[ds.idx_test[:1]])[0]
    softmax, sigmoid = (explain.model_of(net, ds.class_names) for net in two_heads(ds.n_features))
    a = explain.lime_row(softmax, ds, codes, 1, samples=500, seed=2)
    b = explain.lime_row(sigmoid, ds, codes, 1, samples=500, seed=2)
    np.testing.assert_allclose(a.weights, b.weights, atol=1e-4)
    assert a.prediction == pytest.approx(float(log_odds_of(softmax.proba(ds.X_test[:1])[0, 1])), abs=1e-4)


@pytest.mark.parametrize("method", ["exact", "sampling", "deep"])
def test_more_than_two_classes_are_explained_in_log_odds_and_stay_additive(method):
    """Iris (3 classes): log-odds of class c = logit_c - logsumexp(other logits); base + sum is that
    log-odds, DeepLIFT included (its head is built from linear maps, exp and log)."""
    from core.data import load_builtin
    from core.model import build_network
    from core.spec import NetworkSpec
    ds = load_builtin("iris")
    torch.manual_seed(0)
    net, _ = build_network(NetworkSpec.dense([8], "relu"), ds)
    with torch.no_grad():
        net.body[-1].weight.mul_(4)                     # confident logits, far from uniform
    model = explain.model_of(net.eval(), ds.class_names)
    features, groups, _ = explain.column_groups(ds)
    X, bg = ds.X_test[:6], explain.background_rows(ds, 15, 0)
    att = explain.shap_values(model, X, bg, features, groups, method, tolerance=0.01)
    assert att.outputs == [f"log-odds of {c!r}" for c in ds.class_names]
    np.testing.assert_allclose(att.fx, log_odds_of(model.proba(X)), atol=1e-4)
    assert att.additivity_max_error < 1e-4
    exact = explain.shap_values(model, X, bg, features, groups, "exact")
    assert np.median(rel_l2(att.values, exact.values)) < (0.75 if method == "deep" else 0.1)   # deep: a preview


def test_grouped_values_agree_with_shaps_exact_and_kernel_explainers_on_the_group_codes(ex):
    """shap's own explainers, run over one code per original column (shap_explainers.GroupCodes), give the
    same coalition values as the torch exact computation."""
    features, groups, _ = columns(ex)
    X = ex.dataset.X_test[:3]
    bg = explain.background_rows(ex.dataset, 10, 0)
    ours = explain.shap_values(ex.model, X, bg, features, groups, "exact")
    theirs = explain.shap_values(ex.model, X, bg, features, groups, "shap_exact")
    kernel = explain.shap_values(ex.model, X, bg, features, groups, "kernel")     # 2^9 coalitions: enumerated
    np.testing.assert_allclose(theirs.values, ours.values, atol=1e-6)
    np.testing.assert_allclose(theirs.base, ours.base, atol=1e-6)
    np.testing.assert_allclose(kernel.values, ours.values, atol=1e-4)


@pytest.mark.parametrize("method", ["sampling", "permutation"])
def test_sampling_methods_are_additive_and_near_exact_on_grouped_columns(ex, method):
    features, groups, _ = columns(ex)
    X = ex.dataset.X_test[5:7]
    bg = explain.background_rows(ex.dataset, 10, 1)
    exact = explain.shap_values(ex.model, X, bg, features, groups, "exact")
    att = explain.shap_values(ex.model, X, bg, features, groups, method, tolerance=0.01)
    assert att.additivity_max_error < 1e-4
    np.testing.assert_allclose(att.base, exact.base, atol=1e-6)
    assert rel_l2(att.values, exact.values).max() < 0.1
    if method == "sampling":
        # rounds are added until the median estimated error is 1 % or the 12-round limit (10 background rows: noisy)
        assert 2 <= att.settings["mean_rounds"] <= 12 and 0 < att.estimated_error() < 0.1
    else:
        assert att.estimated_error() is None


def test_bad_requests_raise_explain_errors(ex):
    features, groups, _ = columns(ex)
    X, bg = ex.dataset.X_test[:2], ex.dataset.X_train[:5]
    with pytest.raises(ExplainError, match="Unknown SHAP method 'nope'"):
        explain.shap_values(ex.model, X, bg, features, groups, "nope")
    with pytest.raises(ExplainError, match="no rows"):
        explain.shap_values(ex.model, X[:0], bg, features, groups, "exact")
    many = [[i] for i in range(ex.dataset.n_features)]                 # 26 one-column players
    with pytest.raises(ExplainError, match="sampling"):
        explain.shap_values(ex.model, X, bg, [str(i) for i in range(26)], many, "exact")


# ------------------------------------------------------------------ cache
def test_shap_is_cached_in_the_run_folder_and_survives_a_restart(gc_home, ex, monkeypatch):
    home, run_id = gc_home
    folder = home / "runs" / run_id / "explanations"
    before = set(folder.glob("shap-*.safetensors")) if folder.exists() else set()
    first = ex.shap("sampling", limit=40, background=20, seed=3)
    new = set(folder.glob("shap-*.safetensors")) - before
    assert len(new) == 1
    path = new.pop()
    stamp = path.stat().st_mtime_ns

    def no_work(*args, **kwargs):
        raise AssertionError("computed again instead of loading the cache")
    monkeypatch.setattr(shapley, "sampling", no_work)
    monkeypatch.setattr(shapley, "exact", no_work)

    second = ex.shap("sampling", limit=40, background=20, seed=3)
    with Store(home) as store:                               # a restarted app: new connection, new explainer
        third = RunExplainer.open(store, run_id).shap("sampling", limit=40, background=20, seed=3)
    for again in (second, third):
        for name in ("values", "base", "fx", "rows", "stderr"):
            np.testing.assert_array_equal(getattr(again, name), getattr(first, name))
        assert again.summary() == first.summary()
        assert again.settings == first.settings and again.grouped == first.grouped
    assert path.stat().st_mtime_ns == stamp
    assert len(set(folder.glob("shap-*.safetensors")) - before) == 1

    # another request is not served from that cache: seed, rows, background and method are in the key
    for kwargs in ({"seed": 4}, {"limit": 41}, {"background": 21}):
        with pytest.raises(AssertionError, match="computed again"):
            ex.shap("sampling", **{"limit": 40, "background": 20, "seed": 3, **kwargs})
    with pytest.raises(AssertionError, match="computed again"):
        ex.shap("exact", limit=40, background=20, seed=3)
    assert ex.shap("exact", limit=40, background=20, seed=3, cached_only=True) is None


def test_results_cached_by_an_older_version_are_not_shown_in_their_old_unit(gc_home, ex):
    """An older Glassnet cached raw logits under a name without a version: that file is never read."""
    import hashlib
    import json
    from safetensors.torch import save_file
    home, run_id = gc_home
    settings = dict(kind="shap", epoch=ex.loaded.epoch, checkpoint="last", method="exact", split="test", rows=12,
                    background=20, seed=0, tolerance=None)
    old_key = hashlib.sha256(json.dumps(settings, sort_keys=True, default=str).encode()).hexdigest()[:24]
    folder = home / "runs" / run_id / "explanations"
    folder.mkdir(parents=True, exist_ok=True)
    n, p = 12, len(ex.dataset.original_columns)
    old = {"values": torch.full((n, p, 2), 7.0, dtype=torch.float64), "base": torch.zeros(2, dtype=torch.float64),
           "fx": torch.full((n, 2), 7.0 * p, dtype=torch.float64), "rows": torch.as_tensor(ex.dataset.idx_test[:n])}
    meta = {"method": "exact", "algorithm": "old", "features": list(ex.dataset.original_columns),
            "outputs": ["logit of 'bad'", "logit of 'good'"], "seconds": 0.1, "settings": {"background": 20}}
    save_file(old, str(folder / f"shap-{old_key}.safetensors"), metadata={"attribution": json.dumps(meta)})
    assert ex.shap("exact", limit=n, background=20, cached_only=True) is None
    att = ex.shap("exact", limit=n, background=20)
    assert att.outputs == ["log-odds of 'bad'", "log-odds of 'good'"] and not np.any(att.values == 7.0)
    np.testing.assert_allclose(att.fx, log_odds_of(ex.model.proba(ex.dataset.X_test[:n])), atol=1e-4)
    with pytest.raises(ExplainError, match="another version"):
        explain.Attribution.load(folder / f"shap-{old_key}.safetensors")


# ------------------------------------------------------------------ images
class Counting:
    def __init__(self, fn):
        self.fn, self.rows = fn, 0

    def __call__(self, x):
        self.rows += len(x)
        return self.fn(x)


def test_digits_are_explained_by_one_round_of_pixel_walks_on_a_dense_copy_of_the_cnn():
    """The default for images: every pixel a player, one antithetic round of walks per background image,
    steps through pixels the two images share skipped; additive and close to a long sampling run."""
    from core.data import load_builtin
    from core.presets import get_preset
    from core.spec import TrainSpec
    from core.training import train
    ds = load_builtin("digits")
    preset = get_preset("small_cnn")
    net, _ = train(ds, preset.network(), TrainSpec.from_dict({**preset.train, "epochs": 3, "device": "cpu"}))
    model = explain.model_of(net.eval(), ds.class_names)
    assert not any(isinstance(m, (torch.nn.Conv2d, torch.nn.MaxPool2d)) for m in model.fn.modules())
    X = ds.X_test[:6]
    with torch.no_grad():
        np.testing.assert_allclose(model.fn(torch.as_tensor(X)).numpy(), log_odds_of(net.predict(torch.as_tensor(X))),
                                   atol=1e-3)
    features, groups, _ = explain.column_groups(ds)
    assert explain.auto_method(len(groups), image=True) == "pixels" and explain.auto_method(64) == "sampling"
    bg = explain.background_rows(ds, 50, 0)
    counted = explain.Model(Counting(model.fn), model.outputs, model.space)
    att = explain.shap_values(counted, X, bg, features, groups, "pixels")
    assert att.method == "pixels" and att.values.shape == (6, 64, 10) and att.additivity_max_error < 1e-4
    one_round = len(X) * 2 * len(bg) * (64 - 1)                     # every step of one round of walks
    assert counted.fn.rows - len(X) - len(bg) < 0.8 * one_round     # shared pixels cost nothing
    ref = np.mean([shapley.sampling(model.fn, X, bg, groups, min_rounds=12, max_rounds=12, seed=s)[0]
                   for s in (1, 2)], axis=0)
    assert np.median(rel_l2(att.values, ref)) < 0.1


# ------------------------------------------------------------------ LIME
def test_lime_recovers_a_linear_models_coefficients(diabetes):
    """A linear regression on standardised inputs: LIME's local linear model is the model itself, so its
    weights (on LIME's own standardised columns) are the coefficients and their ranking."""
    from core.model import Network
    w = np.array([0.5, -8.0, 3.0, 0.0, 1.0, -0.25, 6.0, 0.0, -2.0, 4.5], np.float32)
    lin = torch.nn.Linear(10, 1)
    with torch.no_grad():
        lin.weight.copy_(torch.as_tensor(w)[None])
        lin.bias.fill_(150.0)
    model = explain.model_of(Network(torch.nn.Sequential(lin), "regression", 1).eval(), None)
    codes = diabetes.codes(diabetes.raw.iloc[diabetes.idx_test[:3]])
    order = np.argsort(-np.abs(w), kind="stable")
    for seed, row in enumerate(codes):
        r = explain.lime_row(model, diabetes, row, samples=2000, seed=seed,
                             explainer=explain.lime_explainer(diabetes, seed, discretize=False))
        assert r.features == list(diabetes.original_columns) and r.output == "prediction"
        assert r.score > 0.999
        assert list(np.argsort(-np.abs(r.weights), kind="stable")[:6]) == list(order[:6])
        np.testing.assert_array_equal(np.sign(r.weights[order[:7]]), np.sign(w[order[:7]]))
        np.testing.assert_allclose(r.weights, w, atol=0.05)
        assert r.prediction == pytest.approx(float(model.proba(diabetes.from_codes(row[None]))[0]), rel=1e-6)


def test_lime_of_the_two_classes_of_a_binary_model_are_opposite(ex):
    """log-odds(bad) = -log-odds(good): with the same samples, LIME's weights for one class are minus the
    other's, and LIME fits the log-odds, the unit SHAP shares out."""
    ds = ex.dataset
    codes = ds.codes(ds.raw.iloc[ds.idx_test[:1]])[0]
    bad = ex.lime(codes, 0, samples=1000, seed=5)
    good = ex.lime(codes, 1, samples=1000, seed=5)
    assert (bad.output, good.output) == ("bad", "good")
    np.testing.assert_allclose(bad.weights, -good.weights, atol=1e-5)      # float32 log-odds
    assert np.abs(good.weights).max() > 1e-3
    probs = ex.model.proba(ds.X_test[:1])[0]
    assert good.prediction == pytest.approx(float(log_odds_of(probs[1])), abs=1e-4)
    assert set(good.rules) == set(ds.original_columns)
    assert all(column in good.rules[column] for column in ds.original_columns)


# ------------------------------------------------------------------ agreement
def test_agreement_of_hand_made_vectors():
    a = np.array([3.0, -2.0, 1.0, 0.5, -0.1, 0.05])
    same = explain.agreement(a, a.copy(), k=3)
    assert same == {"spearman": pytest.approx(1.0), "top_k": 3, "top_k_overlap": 1.0, "sign_agreement": 1.0,
                    "union": 3, "same_sign": 3}
    flipped = explain.agreement(a, -a, k=3)
    assert flipped["spearman"] == pytest.approx(1.0) and flipped["top_k_overlap"] == 1.0
    assert flipped["sign_agreement"] == 0.0
    up, down = np.array([5.0, 4, 3, 0.3, 0.2, 0.1]), np.array([0.1, 0.2, 0.3, 3, 4, 5])
    reversed_ = explain.agreement(up, down, k=3)
    assert reversed_["spearman"] == pytest.approx(-1.0) and reversed_["top_k_overlap"] == 0.0
    assert reversed_["sign_agreement"] == 1.0
    half = explain.agreement(np.array([3.0, 2, 1, 0]), np.array([3.0, -2, 0, 1]), k=2)
    assert half["top_k_overlap"] == 1.0 and half["sign_agreement"] == 0.5
    assert np.isnan(explain.agreement(np.ones(3), a[:3])["spearman"])


# ------------------------------------------------------------------ bring your own model: ONNX
def _onnx_on_raw_rows(ex, tmp_path, n_rows=4, n_background=15):
    """The run's ONNX export fed the original columns of test rows and of the background rows (codes)."""
    from core.analysis.explain import column_inputs, session_of, table_codes
    from core.runs import export
    ds = ex.dataset
    data = export(ex.store, ex.run_id, "onnx", tmp_path / "model.onnx").read_bytes()
    picked = np.sort(np.random.default_rng(0).choice(len(ds.X_train), n_background, replace=False))
    assert np.array_equal(ds.X_train[picked], explain.background_rows(ds, n_background, 0))
    rows = np.concatenate([ds.idx_test[:n_rows], ds.idx_train[picked]])
    inputs = column_inputs(session_of(data), list(ds.raw.columns))
    codes, feed = table_codes(ds.raw.iloc[rows].reset_index(drop=True), inputs)
    return data, inputs, feed, codes[:n_rows], codes[n_rows:]


def test_an_exported_onnx_model_is_explained_like_the_torch_model_in_probability_space(ex, tmp_path):
    ds = ex.dataset
    data, inputs, feed, X_codes, bg_codes = _onnx_on_raw_rows(ex, tmp_path)
    assert [i.name for i in inputs] == ds.original_columns          # it takes the original columns, by name
    onnx = explain.onnx_model(data, len(inputs), None, feed)
    # a Glassnet export names its outputs itself (class names in the model's metadata)
    assert onnx.outputs == ["output 'bad'", "output 'good'"] and onnx.names_from_model
    assert onnx.space == "output" and onnx.net is None
    features, groups, _ = columns(ex)
    assert features == ds.original_columns
    X = ds.X_test[:4]
    bg = explain.background_rows(ds, 15, 0)
    np.testing.assert_allclose(onnx.proba(X_codes), ex.model.proba(X), atol=1e-5)      # it outputs probabilities

    # one player per column either way: a column's code swapped in = its one-hot group swapped in
    got = explain.shap_values(onnx, X_codes, bg_codes, features, [[j] for j in range(len(features))], "exact")
    assert got.additivity_max_error < 1e-5
    np.testing.assert_allclose(got.values.sum(2), 0, atol=1e-5)       # the two probabilities' changes cancel
    torch_probs = explain.Model(lambda x: ex.loaded.net.predict(x), onnx.outputs, "output")
    want = explain.shap_values(torch_probs, X, bg, features, groups, "exact")
    np.testing.assert_allclose(got.values, want.values, atol=1e-5)
    assert list(got.importance())[0] == list(want.importance())[0]

    sampled = explain.shap_values(onnx, X_codes, bg_codes, features, [[j] for j in range(len(features))], "sampling")
    assert sampled.additivity_max_error < 1e-4
    assert np.median(rel_l2(sampled.values, got.values)) < 0.1
    with pytest.raises(ExplainError, match="PyTorch"):
        explain.shap_values(onnx, X_codes, bg_codes, features, groups, "deep")


def test_a_file_that_is_not_onnx_or_does_not_fit_the_table_is_refused_in_words(ex, tmp_path):
    from core.analysis.explain import session_of, table_codes
    with pytest.raises(ExplainError, match="not a model onnxruntime can load"):
        explain.onnx_model(np.random.default_rng(0).bytes(4096), 26)
    with pytest.raises(ExplainError, match="not a model"):
        explain.onnx_model(b"", 26)
    data, inputs, feed, _, _ = _onnx_on_raw_rows(ex, tmp_path)
    with pytest.raises(ExplainError, match="takes 9 inputs"):          # no feed: fed as one matrix
        explain.onnx_model(data, 5)
    raw = ex.dataset.raw
    with pytest.raises(ExplainError, match="takes the column 'age', which the table lacks"):
        table_codes(raw.drop(columns=["age"]), inputs)
    with pytest.raises(ExplainError, match="'age' should hold numbers"):
        table_codes(raw.assign(age=["old"] * len(raw)), inputs)
    assert session_of(data).get_inputs()[0].name == ex.dataset.original_columns[0]


# ------------------------------------------------------------------ drift over checkpoints
def test_drift_has_one_entry_per_epoch_checkpoint(ex):
    epochs = sorted(c["epoch"] for c in ex.store.checkpoints(ex.run_id) if c["kind"] == "epoch")
    assert epochs == [10, 20]
    assert ex.drift(rows=20, background=10, cached_only=True) is None
    drift = ex.drift(rows=20, background=10)
    assert [d["epoch"] for d in drift] == epochs
    features, groups, _ = columns(ex)
    assert all(set(d["importance"]) == set(features) for d in drift)
    # the last entry is the last checkpoint's importance on the same rows and background
    bg = explain.background_rows(ex.dataset, 10, 0)
    last = explain.shap_values(ex.model, ex.dataset.X_test[:20], bg, features, groups, "exact")
    assert drift[-1]["importance"] == pytest.approx(last.importance(), rel=1e-6)
    assert drift[0]["importance"] != pytest.approx(drift[-1]["importance"], rel=1e-3)
    ranks = explain.ranks_over_time(drift)
    assert set(ranks) == set(features) and all(len(r) == 2 for r in ranks.values())
    assert sorted(r[1] for r in ranks.values()) == list(range(1, 10))
    assert ex.drift(rows=20, background=10) == drift                    # read back from the run folder
    assert ex.drift(rows=20, background=10, cached_only=True) == drift


# ------------------------------------------------------------------ shap's gradient explainers
def _hooks(module: torch.nn.Module) -> int:
    return sum(len(m._forward_hooks) + len(m._forward_pre_hooks) + len(m._backward_hooks)
               + len(m._backward_pre_hooks) for m in module.modules())


def test_deep_and_gradient_explainers_leave_the_runs_network_as_it_was(ex):
    X = ex.dataset.X_test[:6]
    xt = torch.as_tensor(X)
    nets = [ex.loaded.net, ex.model.net]
    with torch.no_grad():
        before = [net(xt).clone() for net in nets] + [ex.model.fn(xt).clone()]
    states = [{k: v.clone() for k, v in net.state_dict().items()} for net in nets]
    grads = [[p.requires_grad for p in net.parameters()] for net in nets]
    training = [[m.training for m in net.modules()] for net in nets]

    deep = ex.shap_rows(X, "deep", background=20)
    grad = ex.shap_rows(X, "gradient", background=20)

    assert deep.additivity_max_error < 1e-4             # DeepLIFT's rescale rule sums to the output
    assert deep.values.shape == grad.values.shape == (6, 9, 2)
    exact = ex.shap_rows(X, "exact", background=20)
    assert np.median(rel_l2(deep.values, exact.values)) < 0.5
    for net in nets:
        assert _hooks(net) == 0
    assert not torch.nn.modules.module._global_forward_hooks
    with torch.no_grad():
        after = [net(xt) for net in nets] + [ex.model.fn(xt)]
    for b, a in zip(before, after):
        assert torch.equal(a, b)
    for net, state, g, t in zip(nets, states, grads, training):
        assert all(torch.equal(v, state[k]) for k, v in net.state_dict().items())
        assert [p.requires_grad for p in net.parameters()] == g
        assert [m.training for m in net.modules()] == t


# ------------------------------------------------------------------ estimates and threads
class FakeClock:
    """time.perf_counter for explain.probe_seconds, advanced by the fake work instead of by waiting."""

    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_probe_seconds_splits_a_fixed_cost_from_a_cost_per_row(monkeypatch):
    clock = FakeClock()
    monkeypatch.setattr(running.time, "perf_counter", clock)
    calls = []

    def work(fixed, per_row, first_extra=0.0):
        def explain_rows(k):
            calls.append(k)
            clock.now += fixed + per_row * k + (first_extra if len(calls) == 1 else 0.0)
        return explain_rows

    # 0.5 s to set up, 0.2 s a row: timed on 1 and 3 rows, extrapolated to 1,000
    assert explain.probe_seconds(work(0.5, 0.2), 1000) == pytest.approx(0.5 + 0.2 * 1000)
    assert calls == [1, 3]
    calls.clear()
    # clearly quick: one row's time times the rows, no second probe
    assert explain.probe_seconds(work(0.0, 0.001), 100) == pytest.approx(0.1)
    assert calls == [1]
    calls.clear()
    # one row alone is slow already: no second probe either
    assert explain.probe_seconds(work(0.0, 4.0), 10) == pytest.approx(40.0)
    assert calls == [1]
    calls.clear()
    assert explain.probe_seconds(work(0.3, 0.1), 1) == pytest.approx(0.4) and calls == [1]
    calls.clear()
    # a first call carrying one-off costs (imports, warm-up) is not taken as the pace
    estimate = explain.probe_seconds(work(0.0, 0.3, first_extra=2.0), 1000)
    assert 0.3 * 1000 <= estimate < 0.3 * 1000 + 2.0


def test_run_estimate_is_a_positive_number_of_seconds(ex):
    seconds = ex.estimate("exact", rows=40, background=10)
    assert np.isfinite(seconds) and seconds > 0


def test_torch_threads_are_restored_after_the_block_even_on_error():
    before = torch.get_num_threads()
    other = 2 if before == 1 else 1
    with explain.torch_threads(other):
        assert torch.get_num_threads() == other
    assert torch.get_num_threads() == before
    with pytest.raises(RuntimeError):
        with explain.torch_threads(other):
            raise RuntimeError("boom")
    assert torch.get_num_threads() == before
    with explain.torch_threads(None):
        assert torch.get_num_threads() == before


def test_auto_method_is_exact_up_to_twelve_columns():
    assert explain.auto_method(12) == "exact" and explain.auto_method(13) == "sampling"
