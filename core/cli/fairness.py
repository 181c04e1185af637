"""`python -m core fairness`: a classification run's decisions across the groups of a sensitive column — metrics
per group, disparities in sentences, and optionally the HTML audit report."""
from __future__ import annotations

from .common import UsageError, add_checkpoint, add_home, note, out_path, print_json


def register(sub) -> None:
    f = sub.add_parser("fairness", help="audit a classification run's decisions across groups of a column")
    f.add_argument("--run", required=True)
    f.add_argument("--sensitive", required=True, metavar="COL[,COL]",
                   help="the column whose groups are compared; two, comma-separated, for their intersection")
    f.add_argument("--threshold", type=float, default=0.5, help="decision threshold on the favourable class's "
                                                                  "probability (default 0.5)")
    f.add_argument("--favourable", metavar="CLASS", help="the class that is the good outcome (default: yes/good/..., "
                                                          "else the last class)")
    f.add_argument("--split", default="test", choices=["test", "val", "train"])
    f.add_argument("--bins", action="append", metavar="COL=E1,E2,...",
                   help="cut a numeric column at these edges (default: at the training rows' quartiles)")
    add_checkpoint(f)
    f.add_argument("--report", metavar="FILE.html", help="also write the self-contained HTML audit report")
    f.add_argument("--json", action="store_true", help="print one JSON object")
    add_home(f)
    f.set_defaults(func=run)


def bins(items: list[str] | None) -> dict | None:
    """--bins age=30,45,60 [--bins income=...] → {column: edges}."""
    if not items:
        return None
    out = {}
    for item in items:
        column, _, edges = item.partition("=")
        try:
            out[column.strip()] = [float(e) for e in edges.split(",") if e.strip()]
        except ValueError:
            raise UsageError(f"--bins takes COLUMN=EDGE,EDGE,... with numbers, e.g. age=30,45,60 (got {item!r})") from None
        if not column.strip() or not out[column.strip()]:
            raise UsageError(f"--bins takes COLUMN=EDGE,EDGE,..., e.g. age=30,45,60 (got {item!r})")
    return out


def run(a) -> int:
    from ..fairness import FairnessError
    if not 0 <= a.threshold <= 1:
        raise UsageError(f"--threshold is a probability from 0 to 1 (got {a.threshold})")
    sensitive = [c.strip() for c in a.sensitive.split(",") if c.strip()]
    try:
        result = audit(a, sensitive, bins(a.bins))
    except FairnessError as e:
        raise UsageError(str(e)) from None
    out = {"run_id": a.run, "split": a.split, **result.summary()}
    if a.json:
        print_json(out)
    else:
        print_audit(out, a.run, a.split)
    return 0


def audit(a, sensitive: list[str], edges: dict | None):
    """The audit of the run on `--split`; with `--report`, the HTML report written too."""
    from ..fairness import audit_run
    from ..runs import Store
    with Store(a.home) as store:
        result = audit_run(store, a.run, sensitive, favourable=a.favourable, split=a.split,
                           threshold=a.threshold, bins=edges, checkpoint=a.checkpoint)
        if a.report:
            from ..report import audit_report
            html = audit_report(store, a.run, sensitive, favourable=a.favourable, threshold=a.threshold, bins=edges)
            out_path(a.report).write_text(html, encoding="utf-8")
            note(f"wrote the audit report to {a.report}")
    return result


def print_audit(out: dict, run_id: str, split: str) -> None:
    """A table of the groups, then the findings in sentences and any notes."""
    print(f"Fairness of run {run_id} on its {split} rows, by {out['sensitive']} (favourable: {out['favourable']!r})")
    print(f"\n{'group':<24} {'count':>6} {'selected':>9} {'accuracy':>9} {'TPR':>7} {'FPR':>7}")
    for name, g in out["groups"].items():
        cells = [f"{g[k]:.3f}" if g[k] is not None else "—" for k in ("selection_rate", "accuracy", "tpr", "fpr")]
        print(f"{name:<24} {g['count']:>6} {cells[0]:>9} {cells[1]:>9} {cells[2]:>7} {cells[3]:>7}")
    print()
    for sentence in out["sentences"]:
        print(f"- {sentence}")
    for note_text in out.get("notes", []):
        print(f"note: {note_text}")
