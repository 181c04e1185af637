"""core/limits.py and the checks that use it: a request past a limit is refused before the memory it would
take is spent, with a message naming the limit, the value asked for, the fix and the variable that sets it."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from core.data import DataError, load_builtin, load_csv
from core.limits import LIMITS, Limits, exceeded, table
from core.model import network_for, plan
from core.spec import NetworkSpec, SpecError, loads_network, loads_train
from tests.cli.cli_process import cli


def test_a_variable_changes_a_limit_and_a_bad_one_keeps_the_default_and_says_so():
    limits, problems = Limits.from_env({"GLASSNET_MAX_PARAMETERS": "20_000_000", "GLASSNET_MAX_ROWS": "ten",
                                        "GLASSNET_MAX_INPUTS": "0"})
    assert limits.max_parameters == 20_000_000
    assert limits.max_rows == Limits().max_rows and limits.max_inputs == Limits().max_inputs
    assert len(problems) == 2 and "GLASSNET_MAX_ROWS='ten'" in problems[0] and "GLASSNET_MAX_INPUTS" in problems[1]
    assert {row["variable"] for row in table()} == {Limits.env_name(n) for n in Limits.names()}
    assert all(row["what"] for row in table())


def test_the_message_names_what_was_asked_the_limit_the_fix_and_the_variable():
    text = exceeded("max_inputs", "The table makes 12,000 model inputs", "leave out columns")
    assert "12,000" in text and f"{LIMITS.max_inputs:,}" in text and "leave out columns" in text
    assert "GLASSNET_MAX_INPUTS" in text


def _wide_table(text_columns: int, values: int, rows: int = 400) -> bytes:
    """Text columns of `values` values each, every value on many rows (so the training rows hold them all)."""
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({f"t{j}": [f"v{k}" for k in rng.permutation(np.arange(rows) % values)]
                          for j in range(text_columns)})
    frame["y"] = rng.integers(0, 2, rows)
    return frame.to_csv(index=False).encode()


def test_a_table_that_one_hot_encodes_past_the_input_limit_is_refused_naming_its_widest_columns():
    columns = LIMITS.max_inputs // 25 + 5                        # each column makes 25 inputs
    with pytest.raises(DataError) as e:
        load_csv(_wide_table(columns, 25), target="y")
    text = str(e.value)
    assert f"{columns * 25:,} model inputs" in text and "GLASSNET_MAX_INPUTS" in text
    assert "'t0' (25)" in text


def test_the_same_table_under_the_limit_loads():
    ds = load_csv(_wide_table(8, 25), target="y")
    assert ds.n_features == 8 * 25


def test_the_command_line_refuses_a_table_past_a_limit_set_for_the_server(tmp_path):
    path = tmp_path / "wide.csv"
    path.write_bytes(_wide_table(8, 25, rows=100))          # 100 rows × about 200 inputs
    proc = cli("train", "--csv", path, "--target", "y", "--epochs", "1", home=tmp_path / "home",
               env={"GLASSNET_MAX_CELLS": "5000"})
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and "GLASSNET_MAX_CELLS" in lines[0]
    assert "100 rows ×" in lines[0] and "Traceback" not in proc.stderr
    assert json.loads(cli("runs", "--json", home=tmp_path / "home").stdout) == []


def test_a_network_past_the_parameter_limit_is_refused_before_a_weight_exists():
    digits = load_builtin("digits")
    huge = NetworkSpec.dense([4096] * 64, "relu")               # about a billion parameters
    counted = plan(huge, digits.n_features, 10, digits.image_shape)
    assert counted.total > LIMITS.max_parameters
    with pytest.raises(SpecError) as e:
        network_for(huge, digits)
    assert e.value.field == "layers" and f"{counted.total:,} parameters" in str(e.value)
    assert "GLASSNET_MAX_PARAMETERS" in str(e.value)
    assert network_for(NetworkSpec.dense([64, 64], "relu"), digits) is not None


def test_the_command_line_refuses_a_huge_network_with_one_line(tmp_path):
    spec = tmp_path / "huge.json"
    spec.write_text(json.dumps(NetworkSpec.dense([4096] * 64, "relu").to_dict()))
    proc = cli("train", "--dataset", "digits", "--spec", spec, "--epochs", "1", home=tmp_path / "home")
    assert proc.returncode == 2 and "GLASSNET_MAX_PARAMETERS" in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.parametrize("loads", [loads_network, loads_train])
def test_deeply_nested_or_huge_spec_json_is_a_spec_error_not_a_crash(loads):
    for text in ("[" * 50_000 + "]" * 50_000, '{"layers": ' + "[" * 30 + "]" * 30 + "}"):
        with pytest.raises(SpecError) as e:
            loads(text)
        assert "GLASSNET_MAX_SPEC_DEPTH" in str(e.value)
    with pytest.raises(SpecError) as e:
        loads(" " * (LIMITS.max_spec_bytes + 1) + "{}")
    assert "GLASSNET_MAX_SPEC_BYTES" in str(e.value)
    assert loads(json.dumps({"network": NetworkSpec().to_dict(), "train": {"epochs": 3}})) is not None


def test_the_command_line_lists_the_limits_in_force():
    proc = cli("limits", "--json", env={"GLASSNET_MAX_PARAMETERS": "123456"})
    rows = {row["name"]: row for row in json.loads(proc.stdout)}
    assert rows["max_parameters"]["value"] == 123456 and rows["max_parameters"]["default"] == 5_000_000
    assert set(rows) == set(Limits.names())
