"""`python -m core export`: a run's model as a PyTorch script, ONNX, safetensors weights or its spec."""
from __future__ import annotations

from .common import add_checkpoint, add_home, note, out_path


def register(sub) -> None:
    e = sub.add_parser("export", help="export a run's model")
    e.add_argument("--run", required=True)
    e.add_argument("--format", required=True, choices=["pytorch", "onnx", "safetensors", "spec"],
                   help="pytorch: a script whose preprocess(rows) takes the original columns; onnx: the network with "
                        "its preprocessing, one input per original column; safetensors: the weights; spec: JSON")
    e.add_argument("--out", required=True)
    add_checkpoint(e)
    add_home(e)
    e.set_defaults(func=run)


def run(a) -> int:
    from ..runs import export
    from ..runs import Store
    path = export(Store(a.home), a.run, a.format, out_path(a.out), a.checkpoint)
    note(f"wrote {a.format} to {path}")
    return 0
