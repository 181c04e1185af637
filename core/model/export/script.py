"""The standalone PyTorch script: the architecture, a weights loader and, for a trained run, `preprocess(rows)`.

Every value that comes from the user (run and file names, column names, categories, class names) enters the
script only as a Python literal made by repr() and checked with ast.literal_eval, never as code or docstring text.
"""
from __future__ import annotations

import ast
import math
import pprint
from string import Template

from torch import nn

from .missing import MISSING_MARKERS


def _module_source(m: nn.Module) -> str:
    if isinstance(m, nn.Linear):
        return f"nn.Linear({m.in_features}, {m.out_features})"
    if isinstance(m, nn.Conv2d):
        return f"nn.Conv2d({m.in_channels}, {m.out_channels}, kernel_size={m.kernel_size[0]}, padding={m.padding[0]})"
    if isinstance(m, nn.MaxPool2d):
        return f"nn.MaxPool2d({m.kernel_size})"
    if isinstance(m, nn.BatchNorm1d):
        return f"nn.BatchNorm1d({m.num_features})"
    if isinstance(m, nn.BatchNorm2d):
        return f"nn.BatchNorm2d({m.num_features})"
    if isinstance(m, nn.Dropout):
        return f"nn.Dropout({m.p})"
    if isinstance(m, nn.LeakyReLU):
        return f"nn.LeakyReLU({m.negative_slope})"
    if isinstance(m, nn.Unflatten):
        return f"nn.Unflatten(1, {tuple(m.unflattened_size)})"
    if isinstance(m, (nn.ReLU, nn.Sigmoid, nn.Tanh, nn.GELU, nn.Flatten)):
        return f"nn.{type(m).__name__}()"
    raise TypeError(f"no source form for {type(m).__name__}")


def _finite(value) -> bool:
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, (list, tuple)):
        return all(_finite(v) for v in value)
    if isinstance(value, dict):
        return all(_finite(v) for v in value.values())
    return True


def literal(value) -> str:
    """`value` (None, bools, numbers, text, lists, tuples, dicts of those) as Python source that is a literal
    and nothing else: ast.literal_eval gives `value` back, or this raises."""
    if not _finite(value):
        raise ValueError("an exported script cannot hold a NaN or infinite number")
    text = pprint.pformat(value, width=110, sort_dicts=False)
    if ast.literal_eval(text) != value:
        raise ValueError(f"{type(value).__name__} does not survive as a Python literal")
    return text


_HEAD = '''"""A Glassnet network as a standalone PyTorch script${WITH}.

Usage:
${USAGE}
net.predict returns class probabilities in the order of CLASSES (classification) or values in the target's
units (regression), from a float32 tensor of preprocessed inputs in the order of FEATURES.
"""
import csv
import io
import math
import re
import sys

import torch
from torch import nn

TITLE = ${TITLE}
TASK = ${TASK}
TARGET = ${TARGET}
CLASSES = ${CLASSES}
FEATURES = ${FEATURES}


class Network(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(
        ${BODY},
        )
        self.register_buffer("y_mean", torch.tensor(0.0))
        self.register_buffer("y_std", torch.tensor(1.0))

    def forward(self, x):
        return self.body(x)

    @torch.no_grad()
    def predict(self, x):
        """Class probabilities (classification) or values in the target's units (regression)."""
        out = self.body(x)
        if TASK == "regression":
            return out[:, 0] * self.y_std + self.y_mean
        if out.shape[1] == 1:
            p = torch.sigmoid(out[:, 0])
            return torch.stack([1 - p, p], dim=1)
        return torch.softmax(out, dim=1)


def load(weights_path):
    from safetensors.torch import load_file
    net = Network()
    net.load_state_dict(load_file(weights_path))
    return net.eval()
'''

_PLAIN_USAGE = '''    python this_file.py weights.safetensors            # prints the parameter count
    from this_file import load; net = load("weights.safetensors"); net.predict(x)

`x` holds the inputs after the scaling and one-hot encoding Glassnet applied before training.'''

_PREPROCESS_USAGE = '''    python this_file.py weights.safetensors rows.csv   # one CSV line per row: the prediction, then (for
                                                       # classification) each class's probability
    python this_file.py weights.safetensors            # prints the parameter count

    from this_file import load, preprocess, read_rows
    net = load("weights.safetensors")
    net.predict(preprocess(read_rows("rows.csv")))     # the rows of a CSV file with the original columns
    net.predict(preprocess(rows))                      # or a list of dicts keyed by the names in COLUMNS
                                                       # (e.g. pandas' DataFrame.to_dict("records"))

preprocess(rows) does what Glassnet did before training: a gap (None, NaN, an empty cell, or a marker such
as NA or ?) becomes the training rows' median (numbers) or most common value (text); text is one-hot encoded
over the training categories (a value not seen in training sets all of its column's inputs to 0); true/false
counts as 1/0; then every input is shifted by OFFSET and divided by SCALE.'''

_PLAIN_MAIN = '''

if __name__ == "__main__":
    net = load(sys.argv[1]) if len(sys.argv) > 1 else Network()
    print(sum(p.numel() for p in net.parameters()), "parameters")
'''

_PREPROCESS = '''
COLUMNS = ${COLUMNS}
OFFSET = ${OFFSET}
SCALE = ${SCALE}
MISSING = frozenset(${MISSING})
_DECIMAL_COMMA = re.compile(r"[+-]?\\d*,\\d+")


def _plain(cell):
    """A numpy scalar as the Python value it holds; anything else as it is."""
    return cell.item() if hasattr(cell, "item") and not isinstance(cell, (str, bytes)) else cell


def _gap(cell):
    if cell is None:
        return True
    if isinstance(cell, float):
        return math.isnan(cell)
    return not isinstance(cell, int) and str(cell).strip() in MISSING     # also pandas' NA, shown as <NA>


def _number(cell, column):
    cell = _plain(cell)
    if _gap(cell):
        return column["fill"]
    if isinstance(cell, (bool, int, float)):
        value = float(cell)
    else:
        text = str(cell).strip()
        if text.lower() in ("true", "false"):
            value = float(text.lower() == "true")
        else:
            try:
                value = float(text.replace(",", ".") if _DECIMAL_COMMA.fullmatch(text) else text)
            except ValueError:
                raise ValueError(f"Column {column['name']!r} should hold numbers but contains {text!r}; "
                                 "fix or remove that value.") from None
    return value if math.isfinite(value) else column["fill"]


def _text(cell):
    """A cell as the text compared with the categories (None for a gap)."""
    cell = _plain(cell)
    if _gap(cell):
        return None
    if isinstance(cell, bool):
        return "True" if cell else "False"
    if isinstance(cell, (int, float)):
        value = float(cell)
        return str(int(value)) if value.is_integer() and abs(value) < 2 ** 53 else repr(value)
    return str(cell).strip()


def _one_hot(cell, column):
    text = _text(cell)
    text = column["fill"] if text is None else text
    return [1.0 if text == category else 0.0 for category in column["categories"]]


def preprocess(rows):
    """float32 model inputs [n, len(FEATURES)] from rows with the original columns (dicts keyed by name)."""
    table = []
    for i, row in enumerate(rows):
        values = []
        for column in COLUMNS:
            if column["name"] not in row:
                raise ValueError(f"Row {i + 1} has no column {column['name']!r}, which the model was trained on; "
                                 "add it with the same name.")
            cell = row[column["name"]]
            values += [_number(cell, column)] if column["kind"] == "numeric" else _one_hot(cell, column)
        table.append(values)
    x = torch.tensor(table, dtype=torch.float64).reshape(len(table), len(OFFSET))
    offset, scale = torch.tensor(OFFSET, dtype=torch.float64), torch.tensor(SCALE, dtype=torch.float64)
    return ((x - offset) / scale).float()


def read_rows(path, delimiter=None):
    """The rows of a CSV file as dicts keyed by its header (the separator guessed from the header if not given)."""
    with open(path, "rb") as f:
        data = f.read()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    if delimiter is None:
        header = next((line for line in text.splitlines() if line.strip()), "")
        delimiter = max(",;\\t|", key=header.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, skipinitialspace=True)
    lines = [line for line in reader if any(cell.strip() for cell in line)]
    if not lines:
        return []
    names = [name.replace("\\ufeff", "").strip() for name in lines[0]]
    return [dict(zip(names, line)) for line in lines[1:]]


def predict_rows(net, rows):
    """(prediction, probabilities) per row: the class name and each class's probability, or the value and None."""
    p = net.predict(preprocess(rows))
    if TASK == "regression":
        return [(float(v), None) for v in p]
    return [(CLASSES[int(i)], probs) for i, probs in zip(p.argmax(dim=1), p.tolist())]


if __name__ == "__main__":
    net = load(sys.argv[1]) if len(sys.argv) > 1 else Network()
    if len(sys.argv) < 3:
        print(sum(p.numel() for p in net.parameters()), "parameters")
        sys.exit(0)
    out = csv.writer(sys.stdout, lineterminator="\\n")
    out.writerow(["prediction"] + ([] if TASK == "regression" else [f"proba_{c}" for c in CLASSES]))
    for prediction, probs in predict_rows(net, read_rows(sys.argv[2])):
        out.writerow([prediction] + [repr(v) for v in probs or []])
'''


def script_source(net, feature_names, class_names, title: str, preprocessing: dict | None, target: str | None,
                  markers: tuple[str, ...]) -> str:
    """The script's text; see pytorch_source."""
    head = Template(_HEAD).substitute(
        WITH=", with the preprocessing it was trained with" if preprocessing else "",
        USAGE=_PREPROCESS_USAGE if preprocessing else _PLAIN_USAGE,
        TITLE=literal(str(title)), TASK=literal(net.task), TARGET=literal(None if target is None else str(target)),
        CLASSES=literal([str(c) for c in class_names] if class_names is not None else None),
        FEATURES=literal([str(f) for f in feature_names] if feature_names is not None else None),
        BODY=",\n        ".join(_module_source(m) for m in net.body))
    if not preprocessing:
        return head + _PLAIN_MAIN
    columns = [{k: c[k] for k in ("name", "kind", "fill", "categories")} for c in preprocessing["columns"]]
    return head + Template(_PREPROCESS).substitute(
        COLUMNS=literal(columns), OFFSET=literal(list(preprocessing["offset"])),
        SCALE=literal(list(preprocessing["scale"])), MISSING=literal(tuple(markers)))


def pytorch_source(net, feature_names: list[str] | None = None, class_names: list[str] | None = None,
                   title: str = "Glassnet model", preprocessing: dict | None = None, target: str | None = None) -> str:
    """A standalone script that rebuilds the architecture and loads weights from safetensors; with
    `preprocessing` (Dataset.preprocessing()), also `preprocess(rows)` from the original columns."""
    return script_source(net, feature_names, class_names, title, preprocessing, target, MISSING_MARKERS)
