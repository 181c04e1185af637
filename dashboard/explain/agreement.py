"""Whether SHAP and LIME agree on a row: rank correlation, top-k overlap and directions, in numbers and in
plain words."""
from __future__ import annotations

import numpy as np
import streamlit as st

from core import explain as xp
from dashboard.text import md_plain as md


def agreement_verdict(agree: dict, lime_score: float) -> tuple[bool, str]:
    """(they agree?, a sentence in plain words) for explain.agreement's result. The direction is counted
    over the columns in either top list, and the sentence says so with both counts."""
    k = agree["top_k"]
    rho, overlap, signs = agree["spearman"], agree["top_k_overlap"], agree["sign_agreement"]
    shared = round(overlap * k)
    union, same = agree["union"], agree["same_sign"]
    fit = ("LIME's straight-line fit around this row is poor"
           if lime_score < 0.3 else "LIME's fit around this row is fair" if lime_score < 0.6
           else "LIME's fit around this row is good")
    problems = []
    if overlap < 0.6:
        problems.append(f"they share only {shared} of their top {k} columns")
    if np.isfinite(signs) and signs < 0.8:
        problems.append(f"they push {union - same} of the {union} columns in either top {k} in opposite "
                        f"directions ({1 - signs:.0%})")
    if np.isfinite(rho) and rho < 0.5:
        problems.append(f"they rank the columns differently (rank correlation {rho:.2f})")
    if problems:
        return False, ("**SHAP and LIME disagree on this row:** " + "; ".join(problems) + ". "
                       f"{fit} (R² = {lime_score:.2f}). SHAP's values add up exactly to the network's output; "
                       "LIME's come from a simple model fitted to random variations of the row, so when the two "
                       "differ, trust SHAP for what the network computes and read LIME as a rough local summary.")
    return True, (f"**SHAP and LIME broadly agree on this row:** {shared} of the top {k} columns are the same"
                  + (f", and they push {same} of the {union} columns in either top {k} the same way ({signs:.0%})"
                     if np.isfinite(signs) else "")
                  + f". {fit} (R² = {lime_score:.2f}).")


def show_agreement(shap_row: np.ndarray, lime, unit: str) -> None:
    """The three agreement numbers, the verdict in words and how to compare the two."""
    agree = xp.agreement(shap_row, lime.weights, k=5)
    ok, sentence = agreement_verdict(agree, lime.score)
    m = st.columns(3)
    m[0].metric("Rank correlation", "—" if not np.isfinite(agree["spearman"]) else f"{agree['spearman']:.2f}",
                help="Spearman correlation of the two rankings of the columns by size (1: the same order, "
                     "0: unrelated, −1: reversed).")
    m[1].metric(f"Top-{agree['top_k']} overlap", f"{agree['top_k_overlap']:.0%}",
                help=f"The share of SHAP's {agree['top_k']} biggest columns that are also among LIME's.")
    m[2].metric("Same direction", "—" if not np.isfinite(agree["sign_agreement"]) else f"{agree['sign_agreement']:.0%}",
                help="Of the columns in either top list, the share that both methods push the same way.")
    (st.success if ok else st.warning)(sentence)
    st.caption(f"Both are in the same unit, the {md(unit)}. A SHAP value is the column's share of this "
               "row's output; a LIME weight is what the rule shown (e.g. a range the value falls in) adds in LIME's "
               "straight-line fit: compare the order and the directions of the columns more than the sizes.")
