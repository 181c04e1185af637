"""Exports take the original columns: the ONNX model and the standalone script carry the preprocessing and give
what `python -m core predict` gives on the same raw CSV rows (text, numbers, gaps, unseen categories)."""
from __future__ import annotations

import ast
import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch

from core.runs import export_bytes
from core.model import MISSING_MARKERS, export_onnx
from core.spec import LayerSpec, NetworkSpec, TrainSpec
from core.runs import Store
from core.training import train

ROOT = Path(__file__).resolve().parents[2]
TOWN = 'home "town"'                      # a column name with quotes, kept as it is everywhere
EVIL = 'x"""; import os; os.system("touch PWNED"); """'


def python(*args, cwd=ROOT, timeout=300) -> subprocess.CompletedProcess:
    proc = subprocess.run([sys.executable, *map(str, args)], cwd=cwd, capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc


def titanic_csv(n: int = 240, seed: int = 0) -> bytes:
    """A titanic-like upload: numbers with gaps, text with gaps, quotes and accents, an id column."""
    rng = np.random.default_rng(seed)
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["passenger_id", "pclass", "sex", "age", "fare", "embarked", TOWN, "deck", "survived"])
    towns = ["Zürich", "O'Brien \"Hall\"", "C:\\dock", "Southampton", "New York"]
    for i in range(n):
        sex, pclass = rng.choice(["male", "female"]), int(rng.integers(1, 4))
        age = "" if rng.random() < 0.15 else ("NA" if rng.random() < 0.05 else f"{rng.uniform(1, 70):.1f}")
        fare = f"{rng.gamma(2, 15 * (4 - pclass)):.2f}"
        embarked = "" if rng.random() < 0.08 else str(rng.choice(["S", "C", "Q"], p=[0.6, 0.25, 0.15]))
        deck = "?" if rng.random() < 0.3 else str(rng.choice(list("ABCDE")))
        score = 1.5 * (sex == "female") - 0.7 * pclass + 0.6 + rng.normal(0, 0.6)
        w.writerow([1000 + i, pclass, sex, age, fare, embarked, str(rng.choice(towns)), deck,
                    "yes" if score > 0 else "no"])
    return out.getvalue().encode()


# rows to predict: gaps of every kind, spaces around text, categories never seen in training, infinities
NEW_TITANIC = [
    ["passenger_id", "pclass", "sex", "age", "fare", "embarked", TOWN, "deck", "survived"],
    ["1", "1", "female", "38", "71.28", "C", "Zürich", "B", "yes"],
    ["2", "3", " male ", "", "7.25", "S", "O'Brien \"Hall\"", "?", ""],
    ["3", "2", "female", "NA", "?", "", "C:\\dock", "", ""],
    ["4", "3", "unknown", "22", "inf", "X", "Atlantis", "Z", ""],
    ["5", "1", "", "54", "51.86", "  ", "", "A", ""],
    ["6", "2", "NA", "?", "", "?", "New York", "E", "no"],
    ["7", "3", "male", "2", "21.07", "Q", "  Southampton ", "none", ""],
    ["8", "1", "female", "-inf", "1000000", "C", "n/a", "C", ""],
]


def german_rows() -> list[list[str]]:
    """Rows of the German credit file, some cells blanked or marked missing, some values never seen."""
    from core.data import DATASETS_DIR
    lines = list(csv.reader(io.StringIO((DATASETS_DIR / "german_credit.csv").read_text())))
    header, rows = lines[0], [list(r) for r in lines[1:41]]
    col = {name: i for i, name in enumerate(header)}
    rows[0][col["purpose"]] = "spaceship"
    rows[1][col["housing"]] = "castle"
    rows[2][col["age"]] = "NA"
    rows[3][col["credit_amount"]] = ""
    rows[4][col["saving_accounts"]] = ""
    rows[5][col["checking_account"]] = "?"
    rows[6][col["sex"]] = "  female "
    rows[7][col["duration"]] = "?"
    return [header] + rows


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)
    return path


def train_upload(home: Path, data: bytes, target: str, name: str) -> str:
    """A run trained in-process on an uploaded CSV, recorded in the workspace like any other."""
    from core.data import load_csv
    from core.model import build_network, concrete_loss
    from core.spec import NetworkSpec, TrainSpec
    from core.training import StoreRecorder, Trainer, seed_everything
    with Store(home) as store:
        ds = load_csv(data, target=target, filename="titanic.csv", home=home)
        network = NetworkSpec.dense([12, 8], "tanh")
        spec = TrainSpec(epochs=15, batch_size=32, seed=0, device="cpu", lr=0.02)
        seed_everything(0)
        net, _ = build_network(network, ds, concrete_loss(spec.loss, ds.task))
        run_id = store.create_run(name=name, dataset=ds.ref.to_dict(), network=network.to_dict(),
                                  train=spec.to_dict(), status="queued")
        Trainer(net, ds, spec, callbacks=[StoreRecorder(store, run_id)]).fit()
        return run_id


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    from tests.helpers_runs import train_run
    home = tmp_path_factory.mktemp("export_home")
    return home, {"titanic": train_upload(home, titanic_csv(), "survived", "titanic"),
                  "german_credit": train_run(home, "german_credit", hidden=(16, 8), epochs=8)}


@pytest.fixture(scope="module")
def cases(runs, tmp_path_factory):
    """Per run: the rows CSV and `python -m core predict`'s output on it (the reference)."""
    home, ids = runs
    d = tmp_path_factory.mktemp("rows")
    out = {}
    for key, rows in (("titanic", NEW_TITANIC), ("german_credit", german_rows())):
        path = write_csv(d / f"{key}.csv", rows)
        dest = d / f"{key}-predicted.csv"
        python("-m", "core", "predict", "--run", ids[key], "--csv", path, "--out", dest, "--home", home)
        out[key] = path, pd.read_csv(dest, keep_default_na=False)
    return out


def onnx_feeds(session, path: Path) -> dict[str, np.ndarray]:
    """The raw cells of a CSV, as a practitioner would feed them: text as it stands, numbers as floats (NaN
    where the cell is blank or a missing marker)."""
    with open(path, newline="", encoding="utf-8") as f:
        lines = list(csv.reader(f))
    header, rows = lines[0], lines[1:]
    feeds = {}
    for i in session.get_inputs():
        cells = [r[header.index(i.name)] for r in rows]
        if i.type == "tensor(string)":
            feeds[i.name] = np.asarray(cells, dtype=object).reshape(-1, 1)
        else:
            feeds[i.name] = np.asarray([np.nan if c.strip() in MISSING_MARKERS else float(c) for c in cells],
                                       np.float32).reshape(-1, 1)
    return feeds


def probabilities(frame: pd.DataFrame) -> np.ndarray:
    return frame[[c for c in frame.columns if c.startswith("proba_")]].to_numpy(np.float64)


@pytest.mark.parametrize("key", ["titanic", "german_credit"])
def test_onnx_export_takes_the_raw_columns_and_predicts_as_the_cli(key, runs, cases):
    import onnxruntime as ort
    home, ids = runs
    path, want = cases[key]
    data = export_bytes(Store(home), ids[key], "onnx")             # what the Runs page offers
    session = ort.InferenceSession(data, providers=["CPUExecutionProvider"])
    from core.data import load_dataset
    ds = load_dataset(Store(home).get_run(ids[key]).dataset, home)
    assert [i.name for i in session.get_inputs()] == ds.original_columns           # one input per column
    kinds = ds.column_kinds()
    assert [i.type for i in session.get_inputs()] == [
        "tensor(float)" if kinds[c] is None else "tensor(string)" for c in ds.original_columns]
    assert all(i.shape == ["rows", 1] for i in session.get_inputs())
    assert [o.name for o in session.get_outputs()] == ["probabilities", "prediction"]
    probs, labels = session.run(None, onnx_feeds(session, path))
    np.testing.assert_allclose(probs, probabilities(want), rtol=0, atol=1e-5)
    assert list(labels) == list(want["prediction"].astype(str))
    meta = session.get_modelmeta()
    assert json.loads(meta.custom_metadata_map["glassnet.class_names"]) == ds.class_names   # read by Explain
    assert "one input per original column" in meta.description and "'probabilities'" in meta.description


@pytest.mark.parametrize("key", ["titanic", "german_credit"])
def test_exported_script_preprocesses_the_raw_csv_and_predicts_as_the_cli(key, runs, cases, tmp_path):
    home, ids = runs
    path, want = cases[key]
    script = tmp_path / "model.py"
    python("-m", "core", "export", "--run", ids[key], "--format", "pytorch", "--out", script, "--home", home)
    weights = tmp_path / "weights.safetensors"
    weights.write_bytes(export_bytes(Store(home), ids[key], "safetensors"))
    got = pd.read_csv(io.StringIO(python(script, weights, path, cwd=tmp_path).stdout), keep_default_na=False)
    assert list(got.columns) == ["prediction"] + [c for c in want.columns if c.startswith("proba_")]
    np.testing.assert_allclose(probabilities(got), probabilities(want), rtol=0, atol=1e-5)
    assert list(got["prediction"].astype(str)) == list(want["prediction"].astype(str))


def test_script_preprocess_gives_the_products_inputs_from_dicts(runs, tmp_path):
    """preprocess(rows) on dicts (numbers, None, NaN, numpy scalars, unseen text) = Dataset.encode, bit for bit."""
    import importlib.util

    import torch

    from core.data import load_dataset
    home, ids = runs
    script = tmp_path / "exported_titanic.py"
    script.write_bytes(export_bytes(Store(home), ids["titanic"], "pytorch"))
    spec = importlib.util.spec_from_file_location("exported_titanic", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    ds = load_dataset(Store(home).get_run(ids["titanic"]).dataset, home)
    frame = ds.raw[ds.original_columns].iloc[:30].copy()
    frame.loc[frame.index[0], "sex"] = "robot"
    frame.loc[frame.index[1], "age"] = None
    frame.loc[frame.index[2], "embarked"] = None
    frame.loc[frame.index[4], ["age", "deck"]] = np.nan
    rows = frame.to_dict("records")
    rows[3]["pclass"] = np.int64(rows[3]["pclass"])
    rows[4]["age"], rows[4]["deck"] = float("nan"), None
    got = module.preprocess(rows)
    assert got.dtype == torch.float32
    np.testing.assert_array_equal(got.numpy(), ds.encode(frame))
    with pytest.raises(ValueError, match="no column 'sex'"):
        module.preprocess([{k: v for k, v in rows[0].items() if k != "sex"}])
    with pytest.raises(ValueError, match="'age' should hold numbers but contains 'old'"):
        module.preprocess([{**rows[0], "age": "old"}])


def test_a_run_name_with_quotes_and_code_stays_a_string_in_the_script(runs, tmp_path):
    home, ids = runs
    with Store(home) as store:
        store.rename_run(ids["titanic"], EVIL)
        try:
            source = export_bytes(store, ids["titanic"], "pytorch").decode()
        finally:
            store.rename_run(ids["titanic"], "titanic")
    script = tmp_path / "model.py"
    script.write_text(source, encoding="utf-8")
    out = python(script, cwd=tmp_path)                         # runs: prints the parameter count
    assert out.stdout.strip().endswith("parameters")
    assert not (tmp_path / "PWNED").exists()
    tree = ast.parse(source)
    assert ast.get_docstring(tree).count("PWNED") == 0
    consts = {t.id: n.value for n in tree.body if isinstance(n, ast.Assign) for t in n.targets
              if isinstance(t, ast.Name)}
    assert ast.literal_eval(consts["TITLE"]) == f"Glassnet run {EVIL}"
    columns = ast.literal_eval(consts["COLUMNS"])
    assert TOWN in [c["name"] for c in columns]
    assert "O'Brien \"Hall\"" in next(c for c in columns if c["name"] == TOWN)["categories"]


def test_missing_markers_are_what_the_csv_reader_reads_as_missing():
    from core.data import read_csv_bytes
    text = "word,n\n" + "".join(f"{m or ''},{i}\n" for i, m in enumerate(MISSING_MARKERS)) + "kept,99\n"
    frame, _ = read_csv_bytes(text.encode())
    assert frame["word"].isna().sum() == len(MISSING_MARKERS)
    for other in ("-", "none", "missing", "N.A."):          # text the reader keeps
        frame, _ = read_csv_bytes(f"word,n\n{other},1\nx,2\n".encode())
        assert frame["word"].notna().all()


def test_text_match_ignores_exactly_the_spaces_str_strip_removes():
    import onnxruntime as ort
    from onnx import TensorProto, helper

    from core.model.export.onnx_graph import OPSET, stripped_pattern
    spaces = [chr(i) for i in range(0x110000) if chr(i).isspace()]
    node = helper.make_node("RegexFullMatch", ["x"], ["y"], pattern=stripped_pattern(["mäle", ""]))
    graph = helper.make_graph([node], "g", [helper.make_tensor_value_info("x", TensorProto.STRING, ["n"])],
                              [helper.make_tensor_value_info("y", TensorProto.BOOL, ["n"])])
    session = ort.InferenceSession(helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])
                                   .SerializeToString(), providers=["CPUExecutionProvider"])
    padded = [f"{s}mäle{s}" for s in spaces] + ["".join(spaces)]
    assert session.run(None, {"x": np.asarray(padded, dtype=object)})[0].all()
    others = ["\u200b", "\u180e", "\ufeff", "_", "a", "-", ".*"]
    assert not session.run(None, {"x": np.asarray([f"{o}mäle" for o in others] + others + ["male", "MÄLE"],
                                                  dtype=object)})[0].any()


def test_columns_named_like_the_outputs_or_the_graphs_own_names_keep_their_names(tmp_path):
    import onnxruntime as ort
    import torch

    from core.data import load_csv
    from core.model import build_network, export_onnx
    from core.spec import NetworkSpec
    rng = np.random.default_rng(1)
    frame = pd.DataFrame({"prediction": rng.normal(size=60), "glassnet/features": rng.choice(["a", "b", "c"], 60),
                          "probabilities": rng.normal(size=60), "y": rng.choice(["no", "yes"], 60)})
    ds = load_csv(frame.to_csv(index=False).encode(), target="y")
    torch.manual_seed(0)
    net, _ = build_network(NetworkSpec.dense([4]), ds)
    export_onnx(net, tmp_path / "m.onnx", ds)
    session = ort.InferenceSession(str(tmp_path / "m.onnx"), providers=["CPUExecutionProvider"])
    assert [i.name for i in session.get_inputs()] == ["prediction", "glassnet/features", "probabilities"]
    assert [o.name for o in session.get_outputs()] == ["probabilities_", "prediction_"]
    assert json.loads(session.get_modelmeta().custom_metadata_map["glassnet.outputs"])[0]["name"] == "probabilities_"
    raw = ds.raw
    probs, _ = session.run(None, {"prediction": raw[["prediction"]].to_numpy(np.float32),
                                  "glassnet/features": raw[["glassnet/features"]].to_numpy(object),
                                  "probabilities": raw[["probabilities"]].to_numpy(np.float32)})
    with torch.no_grad():
        np.testing.assert_allclose(probs, net.eval().predict(torch.as_tensor(ds.encode(raw))).numpy(), atol=1e-6)


# ------------------------------------------------------------------ ONNX of built-in sets: what predict() gives
ONNX_CASES = {
    "spiral-probabilities": ("spiral", NetworkSpec.dense([16, 8], "tanh"), "auto"),
    "spiral-bce": ("spiral", NetworkSpec(layers=[LayerSpec(units=8, batch_norm=True, dropout=0.2)]), "bce"),
    "digits-cnn": ("digits", NetworkSpec(layers=[LayerSpec(type="conv2d", channels=4), LayerSpec(type="maxpool2d", kernel=2),
                                                 LayerSpec(units=16)]), "auto"),
    "regression2d": ("regression2d", NetworkSpec.dense([16], "gelu"), "auto"),
    "diabetes": ("diabetes", NetworkSpec.dense([16]), "huber"),
}


@pytest.mark.parametrize("case", ONNX_CASES)
def test_onnx_export_takes_the_original_columns_and_matches_predict(tmp_path, case, spiral, digits, regression2d,
                                                                     diabetes):
    import onnxruntime as ort
    name, spec, loss = ONNX_CASES[case]
    dataset = {"spiral": spiral, "digits": digits, "regression2d": regression2d, "diabetes": diabetes}[name]
    net, result = train(dataset, spec, TrainSpec(epochs=3, loss=loss))
    assert result.status == "finished"
    net.train()                               # export must switch to eval itself (dropout off) and restore the mode
    path = tmp_path / "model.onnx"
    export_onnx(net, path, dataset)
    assert net.training
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    rows = dataset.raw.iloc[np.concatenate([dataset.idx_test, dataset.idx_val])]
    if dataset.image_shape is not None:       # an image keeps one tensor: the raw pixel values, scaled inside
        assert [i.name for i in session.get_inputs()] == ["pixels"]
        feeds = {"pixels": rows[dataset.original_columns].to_numpy(np.float32)}
        assert feeds["pixels"].max() > 1      # raw values 0..16, not the scaled inputs
    else:
        assert [i.name for i in session.get_inputs()] == dataset.original_columns
        feeds = {c: rows[[c]].to_numpy(np.float32) for c in dataset.original_columns}
    X = np.concatenate([dataset.X_test, dataset.X_val]).astype(np.float32)
    got = session.run(None, feeds)
    net.eval()
    with torch.no_grad():
        expected = net.predict(torch.as_tensor(X)).numpy()
    if dataset.task == "classification":
        assert got[0].shape == (len(X), dataset.n_classes)
        np.testing.assert_allclose(got[0], expected, rtol=0, atol=1e-5)
        assert list(got[1]) == [dataset.class_names[i] for i in expected.argmax(axis=1)]
    else:
        assert [o.name for o in session.get_outputs()] == ["prediction"] and got[0].shape == (len(X),)
        # values are in the target's units (diabetes: ~25..350), so allow float32 rounding relative to size
        np.testing.assert_allclose(got[0], expected, rtol=1e-6, atol=1e-5)
