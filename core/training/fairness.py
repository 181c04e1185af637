"""Fairness while a classification run trains: the per-epoch audit of the validation rows across a
sensitive column's groups, and the in-training mitigations (reweighing the rows, a penalty on the gap
between groups). The trainer makes one with LiveFairness.for_trainer and logs its numbers as fair/<name>.
"""
from __future__ import annotations

import torch

from ..spec import TrainSpec
from .errors import TrainingError
from .optim import make_loss_fn

SOFT_DECISION_WIDTH = 0.05


class LiveFairness:
    """Groups of a sensitive column for a classification run: the per-epoch audit on the validation
    rows, and the in-training mitigations (reweighing, a penalty on the gap between groups).

    The per-epoch numbers are the audit's (core.analysis.fairness.metrics: the rates fairlearn defines —
    selection rate, TPR, FPR, accuracy per group — and the demographic parity, equalized odds and equal
    opportunity differences between groups), from one epoch's validation decisions in well under a
    millisecond; tests check them against the audit and against fairlearn."""

    def __init__(self, column: str, names: list[str], train_groups: torch.Tensor, val_groups: torch.Tensor,
                 favourable: int, spec: TrainSpec, y_train: torch.Tensor, dev):
        self.column, self.names, self.favourable = column, names, favourable
        self.train_groups, self.val_groups = train_groups, val_groups
        self.weights = None
        if spec.reweigh:
            from ..analysis.fairness import reweighing
            self.weights = torch.as_tensor(reweighing(y_train.cpu().numpy(), train_groups.cpu().numpy()),
                                           dtype=torch.float32, device=dev)
        self.penalty = spec.fairness_penalty
        self.lam = float(spec.fairness_lambda)
        self.y_fav = (y_train == favourable).float()

    @classmethod
    def for_trainer(cls, dataset, spec: TrainSpec, dev) -> "LiveFairness | None":
        column = spec.sensitive or (dataset.sensitive[0] if dataset.sensitive else "")
        if not column:
            if spec.reweigh or spec.fairness_penalty != "none":
                raise TrainingError("reweighing and the fairness penalty need a sensitive column: choose one on the "
                                    "Data page (e.g. sex) or set 'sensitive' in the training settings")
            return None
        from ..analysis.fairness import FairnessError, favourable_index, group_labels, training_grouping
        try:
            edges = spec.sensitive_bands.get(column)               # else bands cut on the training rows
            grouping = training_grouping(dataset, column, {column: tuple(edges)} if edges else None)
            tr, _ = group_labels(dataset.raw.iloc[dataset.idx_train], grouping)
            va, _ = group_labels(dataset.raw.iloc[dataset.idx_val], grouping)
        except FairnessError as exc:
            if spec.reweigh or spec.fairness_penalty != "none":
                raise TrainingError(f"fairness mitigation: {exc}") from None
            return None
        names = sorted(set(tr) | set(va))
        code = {n: i for i, n in enumerate(names)}
        to_t = lambda a: torch.as_tensor([code[x] for x in a], dtype=torch.long, device=dev)   # noqa: E731
        fav = favourable_index(list(dataset.class_names), None)
        y_train = torch.as_tensor(dataset.y_train, dtype=torch.long, device=dev)
        return cls(column, names, to_t(tr), to_t(va), fav, spec, y_train, dev)

    def _proba(self, out: torch.Tensor) -> torch.Tensor:
        if out.shape[1] == 1:
            p1 = torch.sigmoid(out[:, 0])
            return p1 if self.favourable == 1 else 1 - p1
        return torch.softmax(out, dim=1)[:, self.favourable]

    def batch_loss(self, sample_loss, out: torch.Tensor, y: torch.Tensor, idx: torch.Tensor) -> torch.Tensor:
        per_row = sample_loss(out, y)
        if self.weights is not None:
            w = self.weights[idx]
            loss = (per_row * w).sum() / w.sum()
        else:
            loss = per_row.mean()
        if self.penalty != "none" and self.lam > 0:
            loss = loss + self.lam * self._gap(self._proba(out), self.train_groups[idx], self.y_fav[idx])
        return loss

    def _gap(self, p: torch.Tensor, g: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """The largest difference between groups of the selection rate (demographic parity), or of it
        among rows with each true label (equalized odds), on a batch. The decision at 0.5 is smoothed
        (a steep sigmoid) so the gap is differentiable and measures decisions, not mean probabilities."""
        p = torch.sigmoid((p - 0.5) / SOFT_DECISION_WIDTH)
        k = len(self.names)
        conds = [torch.ones_like(p, dtype=torch.bool)] if self.penalty == "demographic_parity" else [y > 0.5, y < 0.5]
        gap = p.new_zeros(())
        for c in conds:
            sums = torch.zeros(k, device=p.device, dtype=p.dtype).index_add(0, g[c], p[c])
            counts = torch.zeros(k, device=p.device, dtype=p.dtype).index_add(0, g[c], torch.ones_like(p[c]))
            present = counts > 0
            if int(present.sum()) >= 2:
                means = sums[present] / counts[present]
                gap = torch.maximum(gap, means.max() - means.min())
        return gap

    @torch.no_grad()
    def metrics(self, out: torch.Tensor, y: torch.Tensor, loss_name: str) -> dict[str, float]:
        """This epoch's audit of the validation rows, as metric name → value: each group's selection rate,
        accuracy, TPR, FPR and loss, and the gaps between groups — the audit's own functions (group_rates,
        disparities), so the numbers during training are the audit's after it."""
        from ..analysis.fairness.metrics import disparities, group_rates
        favourable = (y == self.favourable).cpu().numpy()
        decided = (self._proba(out) >= 0.5).cpu().numpy()
        groups = [self.names[int(c)] for c in self.val_groups.cpu().numpy()]
        names, by_group = group_rates(favourable, decided, groups)
        per_row = make_loss_fn(loss_name, None, reduction="none")(out, y)
        result: dict[str, float] = {}
        for i, name in enumerate(names):
            for rate in ("selection_rate", "accuracy", "tpr", "fpr"):
                result[f"fair/{rate}/{name}"] = float(by_group[rate][i])
            result[f"fair/loss/{name}"] = float(per_row[self.val_groups == self.names.index(name)].mean())
        gaps = disparities(by_group)
        for gap in ("demographic_parity_difference", "equal_opportunity_difference", "equalized_odds_difference"):
            result[f"fair/{gap}"] = gaps[gap]
        return result
