"""Interventional Shapley values of a batched model, computed in torch.

The players are groups of input columns (one group per original column, so a one-hot
encoded column is a single player). For a row x and a background row z, the game is

    v_z(S) = f(x on the columns of the groups in S, z elsewhere),

and the value explained is the average over the background: phi = mean_z phi(v_z). The
base value is mean_z f(z), so base + sum(phi) = f(x) exactly.

Two algorithms:
- `exact`: every coalition of every background row, weighted by the Shapley kernel.
  Cost per row: 2^p x background evaluations; used where the groups are few (<= 12).
- `sampling`: in rounds; each round walks, for every background row, one random order of
  the groups and its reverse (an antithetic pair), the orders stratified so that each
  group takes every position equally often. Walking an order from z to x changes one group per step;
  each step's change in f is that group's marginal contribution. Every walk sums to
  f(x) - f(z), so the estimate is additive to rounding, and the spread between rounds
  gives a standard error per value; a row gets more rounds until its estimated error is
  below a tolerance. Cost per row and round: 2 x background x (p - 1) evaluations.

No streamlit, no shap: the functions take a callable on float32 tensors.
"""
from __future__ import annotations

import math
from typing import Callable

import numpy as np
import torch

Fn = Callable[[torch.Tensor], torch.Tensor]      # [m, d] float32 → [m, k]
Progress = Callable[[float], None]


class LinearFirst:
    """A model whose first step is an affine map: fn(x) = rest(x @ weight.T + bias).

    Walks change one group at a time, so the first layer's output along a walk is a running
    sum of per-group changes: no input matrix is built and the first layer costs a few
    additions per point instead of a matrix product."""

    def __init__(self, weight: torch.Tensor, bias: torch.Tensor | None, rest: Fn):
        self.weight = weight.detach().float()                   # [H, d]
        self.bias = (bias.detach().float() if bias is not None else torch.zeros(len(weight)))
        self.rest = rest

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        return self.rest(torch.addmm(self.bias, x, self.weight.T))

MAX_EXACT_GROUPS = 16
TOLERANCE = 0.0175                                # median estimated relative error the sampler stops at
EVALS_PER_BATCH = 32_768                          # model rows per forward call: small enough that a
                                                  # batch's intermediate tensors stay in cache (3-4x faster
                                                  # than 262,144 on 2 cores, measured)


def _column_group(groups: list[list[int]], d: int) -> torch.Tensor:
    """For each encoded column, the index of the group (player) it belongs to."""
    owner = torch.full((d,), -1, dtype=torch.long)
    for g, cols in enumerate(groups):
        owner[torch.as_tensor(cols, dtype=torch.long)] = g
    if (owner < 0).any():
        missing = (owner < 0).nonzero().flatten().tolist()
        raise ValueError(f"columns {missing[:5]} belong to no group; every input column needs a group")
    return owner


def _evaluate(fn: Fn, inputs: torch.Tensor) -> torch.Tensor:
    """fn over a large batch in slices, as float64 (differences of nearly equal outputs keep their digits)."""
    outs = [fn(inputs[s:s + EVALS_PER_BATCH]).to(torch.float64) for s in range(0, len(inputs), EVALS_PER_BATCH)]
    return torch.cat(outs)


def shapley_weights(p: int) -> torch.Tensor:
    """[2^p, p] matrix M with phi = M^T v for the coalition values v indexed by bitmask."""
    masks = torch.arange(2 ** p).unsqueeze(1).bitwise_right_shift(torch.arange(p)).bitwise_and(1).bool()
    size = masks.sum(1)
    fact = [math.factorial(i) for i in range(p + 1)]
    w = torch.tensor([fact[s] * fact[p - s - 1] / fact[p] for s in range(p)], dtype=torch.float64)
    m = torch.zeros(2 ** p, p, dtype=torch.float64)
    with_j = w[(size - 1).clamp(min=0)].unsqueeze(1).expand(-1, p)
    without_j = w[size.clamp(max=p - 1)].unsqueeze(1).expand(-1, p)
    m[masks] = with_j[masks]
    m[~masks] = -without_j[~masks]
    return m


@torch.inference_mode()
def exact(fn: Fn, X: np.ndarray, background: np.ndarray, groups: list[list[int]],
          progress: Progress | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(phi [n, p, k], base [k]): exact interventional Shapley values of each row."""
    Xt = torch.as_tensor(np.asarray(X, np.float32))
    Z = torch.as_tensor(np.asarray(background, np.float32))
    n, d = Xt.shape
    p, B = len(groups), len(Z)
    if p > MAX_EXACT_GROUPS:
        raise ValueError(f"exact Shapley values need 2^{p} coalitions per row; use sampling above {MAX_EXACT_GROUPS} groups")
    owner = _column_group(groups, d)
    masks = torch.arange(2 ** p).unsqueeze(1).bitwise_right_shift(torch.arange(p)).bitwise_and(1).bool()
    colmask = masks[:, owner]                                     # [2^p, d]
    weights = shapley_weights(p)
    fz = _evaluate(fn, Z)
    base = fz.mean(0)
    phi = torch.zeros(n, p, fz.shape[1], dtype=torch.float64)
    per_row = 2 ** p * B
    rows = max(1, EVALS_PER_BATCH // per_row)
    coalitions = max(1, EVALS_PER_BATCH // B)
    for s in range(0, n, rows):
        xc = Xt[s:s + rows]
        c = len(xc)
        values = []
        for m0 in range(0, 2 ** p, coalitions):
            cm = colmask[m0:m0 + coalitions]
            pts = torch.where(cm.view(1, -1, 1, d), xc.view(c, 1, 1, d), Z.view(1, 1, B, d))   # [c, m, B, d]
            values.append(_evaluate(fn, pts.reshape(-1, d)).view(c, len(cm), B, -1).mean(2))
        v = torch.cat(values, 1)                                   # [c, 2^p, k]
        phi[s:s + c] = torch.einsum("cmk,mp->cpk", v, weights)
        if progress:
            progress(min(1.0, (s + c) / n))
    return phi.numpy(), base.numpy()


def _stratified_ranks(rows: int, p: int, g: torch.Generator) -> torch.Tensor:
    """[rows, p] positions (ranks) of the groups; every block of p rows is a random Latin square,
    so within it each group takes each position exactly once."""
    blocks = []
    ar = torch.arange(p)
    for _ in range(-(-rows // p)):
        sigma = torch.randperm(p, generator=g)
        tau = torch.randperm(p, generator=g)
        blocks.append(sigma[(ar.view(p, 1) + tau.view(1, p)) % p][torch.randperm(p, generator=g)])
    return torch.cat(blocks)[:rows]


class _Walks:
    """One round of walks: for every background row, one stratified order of the groups and its reverse."""

    def __init__(self, B: int, p: int, d: int, owner: torch.Tensor, g: torch.Generator):
        forward = _stratified_ranks(B, p, g)
        self.ranks = torch.cat([forward, p - 1 - forward])          # [K, p], K = 2B
        self.base_of = torch.arange(2 * B) % B                      # the background row each walk starts from
        self.order = torch.argsort(self.ranks, dim=1)               # [K, p]: the group changed at each step
        steps = torch.arange(1, p).view(1, p - 1, 1)
        self.inside = self.ranks[:, owner].unsqueeze(1) < steps     # [K, p-1, d]: columns taken from x
        self._rows = None

    def first_layer_rows(self, W: torch.Tensor) -> torch.Tensor:
        """[B, p-1, H]: the first layer's column for the group changed at each forward step (one
        column per group), shared by every explained row."""
        if self._rows is None:
            B = len(self.ranks) // 2
            self._rows = W.T[self.order[:B, :self.order.shape[1] - 1]]
        return self._rows


@torch.inference_mode()
def sampling(fn: Fn, X: np.ndarray, background: np.ndarray, groups: list[list[int]], *,
             tolerance: float = TOLERANCE, min_rounds: int = 2, max_rounds: int = 12, seed: int = 0,
             progress: Progress | None = None, skip_unchanged: bool = True
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(phi [n, p, k], base [k], stderr [n, p, k], rounds [n]) from antithetic, stratified walks.

    Rounds of walks are added until the median over rows of the estimated relative error (the L2
    norm of a row's standard errors over the L2 norm of its values; the spread between rounds) is
    at most `tolerance`, or `max_rounds` is reached. `min_rounds == max_rounds` fixes the budget.
    (Adding rounds only to the rows still above the tolerance cost more for the same median error:
    the hardest rows are those whose values are all near zero.) A step whose group is the same in the
    row and the background row changes nothing and is not evaluated (`skip_unchanged`; the values are
    the same either way)."""
    if not 1 <= min_rounds <= max_rounds:
        raise ValueError("need 1 <= min_rounds <= max_rounds")
    Xt = torch.as_tensor(np.asarray(X, np.float32))
    Z = torch.as_tensor(np.asarray(background, np.float32))
    n, d = Xt.shape
    p, B = len(groups), len(Z)
    owner = _column_group(groups, d)
    fz = _evaluate(fn, Z)
    base = fz.mean(0)
    k_out = fz.shape[1]
    fx = _evaluate(fn, Xt)
    if p == 1:                                                     # one player: it gets everything
        return ((fx - base).view(n, 1, k_out).numpy(), base.numpy(), np.zeros((n, 1, k_out)),
                np.zeros(n, np.int64))
    g = torch.Generator().manual_seed(int(seed))
    total = torch.zeros(n, p, k_out, dtype=torch.float64)
    squares = torch.zeros(n, p, k_out, dtype=torch.float64)
    planned, done = min_rounds, 0
    rows = max(1, EVALS_PER_BATCH // (2 * B * (p - 1)))
    for r in range(1, max_rounds + 1):
        walks = _Walks(B, p, d, owner, g)
        for s in range(0, n, rows):
            est = _one_round(fn, Xt[s:s + rows], fx[s:s + rows], Z, fz, walks, owner, p, skip_unchanged)
            total[s:s + rows] += est
            squares[s:s + rows] += est * est
            done += len(est)
            if progress:
                progress(min(0.99, done / (n * planned)))
        if r < min_rounds:
            continue
        rel = _relative_error(total, squares, r)
        median = float(rel.nanmedian()) if bool(torch.isfinite(rel).any()) else 0.0
        if median <= tolerance:
            break
        planned = min(max_rounds, max(r + 1, math.ceil(r * (median / tolerance) ** 2)))   # error ~ 1/sqrt(rounds)
    if progress:
        progress(1.0)
    rounds = torch.full((n,), r, dtype=torch.long)
    return (total / r).numpy(), base.numpy(), _stderr(total, squares, rounds).numpy(), rounds.numpy()


def _relative_error(total: torch.Tensor, squares: torch.Tensor, r: int) -> torch.Tensor:
    """Per row: ||standard errors|| / ||values|| after r rounds."""
    stderr = _stderr(total, squares, torch.full((len(total),), r))
    return stderr.flatten(1).norm(dim=1) / (total / r).flatten(1).norm(dim=1)


def _stderr(total: torch.Tensor, squares: torch.Tensor, rounds: torch.Tensor) -> torch.Tensor:
    """Standard error of the mean of `rounds` estimates from their sum and sum of squares (NaN for one)."""
    R = rounds.view(-1, 1, 1).to(torch.float64)
    var = (squares / R - (total / R) ** 2).clamp(min=0) * R / (R - 1).clamp(min=1)
    return torch.where(R > 1, (var / R).sqrt(), torch.full_like(total, math.nan))


def _one_round(fn: Fn, xc: torch.Tensor, fx: torch.Tensor, Z: torch.Tensor, fz: torch.Tensor,
               walks: _Walks, owner: torch.Tensor, p: int, skip: bool = True) -> torch.Tensor:
    """[c, p, k]: one round's estimate for the rows xc (their outputs fx)."""
    c, d = xc.shape
    K, k_out = len(walks.ranks), fz.shape[1]
    if isinstance(fn, LinearFirst):
        points, model = _linear_walks(fn, xc, Z, owner, p, walks), fn.rest
    else:
        points = torch.where(walks.inside.unsqueeze(0), xc.view(c, 1, 1, d), Z[walks.base_of].view(1, K, 1, d))
        model = fn
    changed = _changed_steps(xc, Z, owner, walks) if skip else torch.ones(points.shape[:3], dtype=torch.bool)
    mid = _changed_points_only(model, points, changed, fz[walks.base_of])
    walk = torch.cat([fz[walks.base_of].view(1, K, 1, k_out).expand(c, K, 1, k_out), mid,
                      fx.view(c, 1, 1, k_out).expand(c, K, 1, k_out)], 2)          # [c, K, p+1, k]
    delta = walk[:, :, 1:] - walk[:, :, :-1]                      # [c, K, p, k]: the change at each step
    contrib = torch.gather(delta, 2, walks.ranks.view(1, K, p, 1).expand(c, K, p, k_out))
    return contrib.mean(1)                                         # every walk is additive, so is the mean


def _changed_steps(xc: torch.Tensor, Z: torch.Tensor, owner: torch.Tensor, walks: _Walks) -> torch.Tensor:
    """[c, K, p-1]: whether the group taken from x at each interior step differs from the background
    row's. A step that changes nothing leaves the model's input, hence its output, as it was."""
    p = walks.order.shape[1]
    differs = (xc.unsqueeze(1) != Z.unsqueeze(0)).to(torch.float32)                # [c, B, d]
    by_group = torch.zeros(len(xc), len(Z), p).index_add_(2, owner, differs) > 0     # [c, B, p]
    steps = walks.order[:, :p - 1]                                                   # [K, p-1]
    return by_group[:, walks.base_of.view(-1, 1), steps]                             # [c, K, p-1]


def _changed_points_only(model: Fn, points: torch.Tensor, changed: torch.Tensor, start: torch.Tensor
                         ) -> torch.Tensor:
    """model at the interior points [c, K, p-1, D] of every walk, [c, K, p-1, k], evaluated only where
    the step changed the input; elsewhere the output is the previous point's (or the walk's start,
    `start` [K, k])."""
    c, K, steps, D = points.shape
    where = changed.reshape(-1).nonzero().squeeze(1)
    values = _evaluate(model, points.reshape(-1, D)[where]) if len(where) else \
        torch.zeros(0, start.shape[1], dtype=torch.float64)
    k_out = start.shape[1]
    filled = torch.zeros(c * K * steps, k_out, dtype=torch.float64)
    filled[where] = values
    padded = torch.cat([start.view(1, K, 1, k_out).expand(c, K, 1, k_out), filled.view(c, K, steps, k_out)], 2)
    last = torch.where(changed, torch.arange(1, steps + 1), 0).cummax(dim=2).values   # latest changed step
    return torch.gather(padded, 2, last.unsqueeze(-1).expand(c, K, steps, k_out))


def _linear_walks(fn: LinearFirst, xc: torch.Tensor, Z: torch.Tensor, owner: torch.Tensor, p: int,
                  walks: _Walks) -> torch.Tensor:
    """The first layer's output at the interior points of every walk of the round, [c, K, p-1, H], from
    running sums. A reverse walk's points are x minus the forward walk's sums, so only the forward
    walks need sums."""
    c, d = xc.shape
    B = len(Z)
    W = fn.weight                                                   # [H, d]
    H = len(W)
    diff = xc.view(c, 1, d) - Z.view(1, B, d)                       # [c, B, d]
    order = walks.order[:B, :p - 1]                                  # [B, p-1]: the forward walks' groups
    if p == d and bool((owner == torch.arange(d)).all()):            # one column per group: one product
        steps_diff = torch.gather(diff, 2, order.unsqueeze(0).expand(c, B, p - 1))        # [c, B, p-1]
        sums = steps_diff.unsqueeze(-1) * walks.first_layer_rows(W)   # [c, B, p-1, H] in walk order
    else:
        change = torch.zeros(c, B, p, H).index_add_(2, owner, diff.unsqueeze(-1) * W.T)
        sums = change[:, torch.arange(B).view(-1, 1), order]          # [c, B, p-1, H] in walk order
    z_first = torch.addmm(fn.bias, Z, W.T)                          # [B, H]: first layer at each walk's start
    sums[:, :, 0] += z_first
    forward = sums.cumsum_(2)                                       # z_first + changes of the first t groups
    x_first = torch.addmm(fn.bias, xc, W.T)                         # [c, H]
    reverse = (x_first.view(c, 1, 1, H) + z_first.view(1, B, 1, H)) - forward   # step p-t of the reverse walk
    return torch.cat([forward, reverse.flip(2)], 1)


def evaluations_per_row(method: str, n_groups: int, background: int, rounds: float = 3) -> float:
    """How many model evaluations one row costs, for the time estimate shown before a run."""
    if method == "exact":
        return 2 ** n_groups * background
    return 2 * rounds * background * max(1, n_groups - 1)
