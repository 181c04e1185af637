"""`train --json` and `diagnose --run ID` say why a run went wrong: a zeros-initialised network and a
learning rate far too low, trained by the command line for real."""
from __future__ import annotations

import json

from tests.cli.cli_process import cli, last_json


def test_train_json_names_the_symmetry_of_a_zeros_initialised_network(tmp_path):
    spec = tmp_path / "zeros.json"
    spec.write_text(json.dumps({"layers": [{"units": 8, "activation": "sigmoid", "init": "zeros"},
                                           {"units": 8, "activation": "sigmoid", "init": "zeros"}]}))
    proc = cli("train", "--dataset", "moons", "--spec", str(spec), "--epochs", "20", "--json", home=tmp_path)
    out = last_json(proc)
    codes = [d["code"] for d in out["diagnoses"]]
    assert codes[0] == "symmetry", out["diagnoses"]
    d = out["diagnoses"][0]
    assert set(d) >= {"code", "title", "cause", "fix", "evidence", "severity", "chart", "epochs"}
    assert "Initialisation" in d["fix"] and d["severity"] == "error"
    again = cli("diagnose", "--run", out["run_id"], "--json", home=tmp_path)
    assert again.returncode == 0, again.stderr[-2000:]
    assert last_json(again)["diagnoses"] == out["diagnoses"]
    text = cli("diagnose", "--run", out["run_id"], home=tmp_path)
    assert "symmetry: Every unit of a layer is the same" in text.stdout and "fix: On the Build page" in text.stdout


def test_diagnose_of_an_unknown_run_is_one_error_line(tmp_path):
    proc = cli("diagnose", "--run", "nosuchrun", home=tmp_path)
    assert proc.returncode == 2 and proc.stderr.startswith("error:") and "Traceback" not in proc.stderr
