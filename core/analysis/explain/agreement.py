"""How explanations compare: two attributions of one row (SHAP against LIME), and each column's rank
across a run's checkpoints."""
from __future__ import annotations

import numpy as np


def agreement(a: np.ndarray, b: np.ndarray, k: int = 5) -> dict:
    """How far two attributions of one row agree: Spearman rank correlation of |values|, overlap of the
    top-k columns by |value|, and, over the columns in either top k (`union` of them, `same_sign` of
    those with the same sign in both), the share whose signs agree."""
    from scipy.stats import spearmanr
    a, b = np.asarray(a, float), np.asarray(b, float)
    k = max(1, min(k, len(a)))
    if len(a) < 2 or np.ptp(np.abs(a)) == 0 or np.ptp(np.abs(b)) == 0:
        rho = float("nan")
    else:
        rho = float(spearmanr(np.abs(a), np.abs(b)).statistic)
    top_a = set(np.argsort(-np.abs(a), kind="stable")[:k])
    top_b = set(np.argsort(-np.abs(b), kind="stable")[:k])
    union = sorted(top_a | top_b)
    same = int(sum(np.sign(a[j]) == np.sign(b[j]) for j in union))
    signs = same / len(union) if union else float("nan")
    return {"spearman": rho, "top_k": k, "top_k_overlap": len(top_a & top_b) / k, "sign_agreement": signs,
            "union": len(union), "same_sign": same}


def ranks_over_time(drift: list[dict]) -> dict[str, list[int]]:
    """Column → its importance rank (1 = most important) at each drift epoch."""
    out: dict[str, list[int]] = {}
    for point in drift:
        for r, name in enumerate(point["importance"], start=1):
            out.setdefault(name, []).append(r)
    return out
