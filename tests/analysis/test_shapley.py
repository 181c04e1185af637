"""core.analysis.shapley: interventional Shapley values of batched torch functions.

Checked against independent computations: shap's own ExactExplainer, a brute force over
coalitions written here with math.comb weights, and the closed form of an additive model."""
from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import torch

from core.analysis import shapley


def mlp(d: int, k: int, seed: int = 0) -> torch.nn.Sequential:
    torch.manual_seed(seed)
    return torch.nn.Sequential(torch.nn.Linear(d, 32), torch.nn.Tanh(), torch.nn.Linear(32, 16), torch.nn.ReLU(),
                               torch.nn.Linear(16, k)).eval()


def linear_first(net: torch.nn.Sequential) -> shapley.LinearFirst:
    return shapley.LinearFirst(net[0].weight, net[0].bias, net[1:])


def data(n: int, b: int, d: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, d)).astype(np.float32), rng.normal(size=(b, d)).astype(np.float32)


def outputs(fn, X) -> np.ndarray:
    with torch.inference_mode():
        return fn(torch.as_tensor(X)).double().numpy()


def rel_l2(a: np.ndarray, ref: np.ndarray) -> np.ndarray:
    """Per-row ||a - ref|| / ||ref||."""
    n = len(ref)
    return np.linalg.norm((a - ref).reshape(n, -1), axis=1) / np.linalg.norm(ref.reshape(n, -1), axis=1)


SINGLE = [[i] for i in range(6)]
UNEVEN = [[0, 1], [2], [3, 4, 5]]


# ------------------------------------------------------------------ additivity
@pytest.mark.parametrize("groups", [SINGLE, UNEVEN], ids=["one column each", "groups of columns"])
@pytest.mark.parametrize("kind", ["function", "linear first"])
@pytest.mark.parametrize("method", ["exact", "sampling"])
def test_base_plus_values_is_the_output(method, kind, groups):
    net = mlp(6, 3)
    fn = net if kind == "function" else linear_first(net)
    X, Z = data(7, 15, 6)
    if method == "exact":
        phi, base = shapley.exact(fn, X, Z, groups)
    else:
        phi, base, stderr, rounds = shapley.sampling(fn, X, Z, groups, min_rounds=2, max_rounds=3)
        assert stderr.shape == phi.shape and np.isfinite(stderr).all() and (rounds >= 2).all()
    assert phi.shape == (7, len(groups), 3) and base.shape == (3,)
    np.testing.assert_allclose(base, outputs(net, Z).mean(0), atol=1e-6)
    np.testing.assert_allclose(base + phi.sum(1), outputs(net, X), atol=1e-4)
    assert np.abs(phi).max() > 1e-3        # not additive by being all zeros


@pytest.mark.parametrize("groups", [SINGLE, UNEVEN], ids=["one column each", "groups of columns"])
def test_linear_first_walks_give_the_values_of_the_plain_function(groups):
    """The running-sum path through the first layer is an optimisation: same walks, same values."""
    net = mlp(6, 2, seed=3)
    X, Z = data(9, 20, 6, seed=3)
    plain = shapley.sampling(net, X, Z, groups, min_rounds=3, max_rounds=3, seed=7)
    fast = shapley.sampling(linear_first(net), X, Z, groups, min_rounds=3, max_rounds=3, seed=7)
    np.testing.assert_allclose(fast[0], plain[0], atol=1e-5)
    np.testing.assert_allclose(fast[2], plain[2], atol=1e-5)


class Counting:
    """A function that counts the rows it is evaluated on."""

    def __init__(self, fn):
        self.fn, self.rows = fn, 0

    def __call__(self, x):
        self.rows += len(x)
        return self.fn(x)


@pytest.mark.parametrize("groups", [SINGLE, UNEVEN], ids=["one column each", "groups of columns"])
@pytest.mark.parametrize("kind", ["function", "linear first"])
def test_steps_that_change_nothing_are_not_evaluated_and_change_no_value(kind, groups):
    """Pixels that are 0 in the image and in the background image (most of a digit's border): a walk's
    step through one leaves the input as it was, so it is not evaluated; the values are the same."""
    net = mlp(6, 2, seed=4)
    X, Z = data(8, 12, 6, seed=4)
    X[:, [0, 3]] = 0.0
    Z[:, 0] = 0.0                                      # column 0: equal in every pair; column 3: in some
    Z[::2, 3] = 0.0
    runs = {}
    for skip in (True, False):
        fn = Counting(net) if kind == "function" else linear_first(net)
        if kind == "linear first":
            fn.rest = Counting(fn.rest)
        runs[skip] = shapley.sampling(fn, X, Z, groups, min_rounds=2, max_rounds=2, seed=5, skip_unchanged=skip)
        runs[skip] += ((fn if kind == "function" else fn.rest).rows,)
    np.testing.assert_allclose(runs[True][0], runs[False][0], atol=1e-6)
    np.testing.assert_allclose(runs[True][0].sum(1) + runs[True][1], outputs(net, X), atol=1e-4)
    if groups is SINGLE:                              # (in groups of columns, every group has a column that differs)
        assert np.abs(runs[True][0][:, 0]).max() < 1e-8           # never differs: nothing, up to rounding
        assert runs[True][-1] < 0.85 * runs[False][-1]
    else:
        assert runs[True][-1] == runs[False][-1]


# ------------------------------------------------------------------ exact = the Shapley values
def test_exact_agrees_with_shaps_exact_explainer():
    import shap
    net = mlp(5, 2, seed=1)
    X, Z = data(6, 12, 5, seed=1)
    phi, base = shapley.exact(net, X, Z, [[i] for i in range(5)])
    explainer = shap.explainers.Exact(lambda x: outputs(net, np.asarray(x, np.float32)),
                                      shap.maskers.Independent(Z, max_samples=len(Z)))
    ref = explainer(X, silent=True)
    assert ref.values.shape == phi.shape
    np.testing.assert_allclose(phi, ref.values, atol=1e-6)
    np.testing.assert_allclose(base, np.asarray(ref.base_values)[0], atol=1e-6)


def test_exact_of_an_additive_model_is_each_terms_deviation_from_the_background():
    """f(x) = sum_j g_j(x_j) has phi_j = g_j(x_j) - mean_z g_j(z_j): no sharing between columns."""
    a = torch.tensor([1.0, -2.0, 0.5, 3.0])

    def fn(x):
        return (torch.sin(x) * a).sum(1, keepdim=True) + (x[:, 2:3] ** 2)
    X, Z = data(5, 9, 4, seed=2)
    phi, base = shapley.exact(fn, X, Z, [[i] for i in range(4)])

    def terms(v):
        t = np.sin(v) * a.numpy()
        t[:, 2] += v[:, 2] ** 2
        return t
    np.testing.assert_allclose(phi[:, :, 0], terms(X) - terms(Z).mean(0), atol=1e-5)


def test_shapley_weights_give_each_player_its_marginal_average():
    """The kernel matrix: for p = 3, player 0's weight on v({0}) is 1/3, on v({0,1}) 1/6, on v({1}) -1/6."""
    m = shapley.shapley_weights(3).numpy()
    assert m[0b001, 0] == pytest.approx(1 / 3) and m[0b011, 0] == pytest.approx(1 / 6)
    assert m[0b010, 0] == pytest.approx(-1 / 6) and m[0b000, 0] == pytest.approx(-1 / 3)
    assert m[0b111, 0] == pytest.approx(1 / 3)
    # efficiency: the weights of v(all) sum to 1, of v(empty) to -1, of every other coalition to 0
    np.testing.assert_allclose(m.sum(1), [-1, 0, 0, 0, 0, 0, 0, 1], atol=1e-12)


def brute_force_shapley(fn, x: np.ndarray, Z: np.ndarray, groups: list[list[int]]) -> np.ndarray:
    """[p, k]: sum over coalitions S without j of |S|!(p-|S|-1)!/p! [v(S+j) - v(S)], v(S) = mean_z f(x_S, z_rest)."""
    p = len(groups)
    cache: dict[frozenset, np.ndarray] = {}

    def v(S: frozenset) -> np.ndarray:
        if S not in cache:
            pts = Z.copy()
            for g in S:
                pts[:, groups[g]] = x[groups[g]]
            cache[S] = outputs(fn, pts).mean(0)
        return cache[S]
    phi = []
    for j in range(p):
        others = [g for g in range(p) if g != j]
        total = 0.0
        for size in range(p):
            w = 1.0 / (p * math.comb(p - 1, size))
            for S in itertools.combinations(others, size):
                total = total + w * (v(frozenset(S) | {j}) - v(frozenset(S)))
        phi.append(total)
    return np.stack(phi)


def test_one_hot_groups_on_german_credit_are_the_shapley_values_of_the_coalitions():
    """German credit's text columns are one-hot: each is one player, valued as a coalition of its columns."""
    from core.data import load_builtin
    ds = load_builtin("german_credit")
    groups = [ds.groups[c] for c in ds.original_columns]
    assert any(len(g) > 1 for g in groups) and len(groups) == 9 and ds.n_features > 9
    net = mlp(ds.n_features, 2, seed=4)
    X, Z = ds.X_test[:3], ds.X_train[:8]
    phi, base = shapley.exact(linear_first(net), X, Z, groups)
    assert phi.shape == (3, 9, 2)
    np.testing.assert_allclose(base + phi.sum(1), outputs(net, X), atol=1e-5)
    for i in range(len(X)):
        np.testing.assert_allclose(phi[i], brute_force_shapley(net, X[i], Z, groups), atol=1e-5)
    # a one-hot group's value is not the sum of what its columns would get as separate players
    purpose = ds.original_columns.index("purpose")
    assert len(groups[purpose]) == 8
    sampled = shapley.sampling(net, X, Z, groups, min_rounds=3, max_rounds=3)[0]
    np.testing.assert_allclose(base + sampled.sum(1), outputs(net, X), atol=1e-5)
    assert rel_l2(sampled, phi).max() < 0.25


# ------------------------------------------------------------------ sampling: close, and knows how close
def test_sampling_is_within_a_few_percent_of_exact_and_estimates_its_own_error():
    from core.analysis import explain
    net = mlp(10, 2, seed=0)
    X, Z = data(30, 40, 10, seed=0)
    groups = [[i] for i in range(10)]
    exact, base_e = shapley.exact(net, X, Z, groups)
    model = explain.Model(linear_first(net), ["a", "b"], "output")
    att = explain.shap_values(model, X, Z, [f"c{i}" for i in range(10)], groups, "sampling", seed=0)
    np.testing.assert_allclose(att.base, base_e, atol=1e-9)
    true = np.median(rel_l2(att.values, exact))
    assert true < 0.04, true
    assert 0.5 < att.estimated_error() / true < 2.0, (att.estimated_error(), true)
    # rounds were added until the median row's own estimate met the default tolerance
    rel_rows = (np.linalg.norm(att.stderr.reshape(30, -1), axis=1)
                / np.linalg.norm(att.values.reshape(30, -1), axis=1))
    phi, _, stderr, rounds = shapley.sampling(linear_first(net), X, Z, groups, seed=0)
    np.testing.assert_array_equal(phi, att.values)
    assert np.median(rel_rows) <= shapley.TOLERANCE and len(set(rounds)) == 1 and 2 <= rounds[0] < 12
    fewer = shapley.sampling(linear_first(net), X, Z, groups, seed=0, max_rounds=int(rounds[0]) - 1)
    if rounds[0] > 2:           # one round fewer would not have met it
        rel_fewer = np.linalg.norm(fewer[2].reshape(30, -1), axis=1) / np.linalg.norm(fewer[0].reshape(30, -1), axis=1)
        assert np.median(rel_fewer) > shapley.TOLERANCE


def test_more_rounds_give_a_smaller_error():
    net = mlp(10, 1, seed=5)
    X, Z = data(20, 30, 10, seed=5)
    groups = [[i] for i in range(10)]
    exact = shapley.exact(net, X, Z, groups)[0]
    few = shapley.sampling(net, X, Z, groups, min_rounds=2, max_rounds=2)
    many = shapley.sampling(net, X, Z, groups, min_rounds=16, max_rounds=16)
    assert np.median(rel_l2(many[0], exact)) < 0.6 * np.median(rel_l2(few[0], exact))
    assert np.median(many[2]) < 0.6 * np.median(few[2])


def test_sampling_is_reproducible_by_seed():
    net = mlp(6, 2)
    X, Z = data(4, 10, 6)
    a = shapley.sampling(net, X, Z, SINGLE, seed=1, min_rounds=2, max_rounds=2)[0]
    b = shapley.sampling(net, X, Z, SINGLE, seed=1, min_rounds=2, max_rounds=2)[0]
    c = shapley.sampling(net, X, Z, SINGLE, seed=2, min_rounds=2, max_rounds=2)[0]
    np.testing.assert_array_equal(a, b)
    assert np.abs(a - c).max() > 1e-6


def test_stratified_orders_put_every_group_in_every_position_equally_often():
    g = torch.Generator().manual_seed(0)
    ranks = shapley._stratified_ranks(14, 7, g)           # two Latin squares
    assert all(sorted(r.tolist()) == list(range(7)) for r in ranks)      # each row is an order
    for block in (ranks[:7], ranks[7:]):
        for col in block.T:
            assert sorted(col.tolist()) == list(range(7))


# ------------------------------------------------------------------ edges
def test_one_group_gets_the_whole_difference():
    net = mlp(3, 2)
    X, Z = data(4, 5, 3)
    phi, base, stderr, rounds = shapley.sampling(net, X, Z, [[0, 1, 2]])
    np.testing.assert_allclose(phi[:, 0], outputs(net, X) - outputs(net, Z).mean(0), atol=1e-6)


def test_columns_outside_every_group_and_too_many_groups_are_refused():
    net = mlp(3, 1)
    X, Z = data(2, 3, 3)
    with pytest.raises(ValueError, match="no group"):
        shapley.exact(net, X, Z, [[0], [1]])
    with pytest.raises(ValueError, match="sampling"):
        shapley.exact(lambda x: x[:, :1], np.zeros((1, 17), np.float32), np.zeros((2, 17), np.float32),
                      [[i] for i in range(17)])
    with pytest.raises(ValueError, match="min_rounds"):
        shapley.sampling(net, X, Z, [[0], [1], [2]], min_rounds=3, max_rounds=2)


def test_evaluations_per_row_counts_the_work():
    assert shapley.evaluations_per_row("exact", 10, 100) == 1024 * 100
    assert shapley.evaluations_per_row("sampling", 10, 100, rounds=3) == 2 * 3 * 100 * 9
