"""The Build page through AppTest: layer widgets and presets → st.session_state["network"] → diagram and counts."""
import json
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from core.model import output_units, parameter_table
from core.presets import PRESETS, default_network, get_preset
from core.spec import LayerSpec, NetworkSpec

ROOT = Path(__file__).resolve().parents[3]
APP = str(ROOT / "dashboard" / "app.py")

SPIRAL = {"kind": "builtin", "name": "spiral", "params": {"n": 400, "noise": 0.1, "seed": 0}, "sha256": None,
          "preprocess": {"scaling": "standard", "val_fraction": 0.15, "test_fraction": 0.15, "split_seed": 0}}


def builtin(name: str, **params) -> dict:
    return {**SPIRAL, "name": name, "params": {"seed": 0, **params}}


# Data for each kind of preset, and its (inputs, classes, image shape)
DATA_FOR = {"images": (builtin("digits"), 64, 10, (1, 8, 8)), "binary": (builtin("moons"), 2, 2, None),
            "regression": (builtin("regression2d"), 2, 0, None), "any": (SPIRAL, 2, 2, None)}


@pytest.fixture
def home(tmp_path, monkeypatch):
    import dashboard.state as state

    monkeypatch.setenv("GLASSNET_HOME", str(tmp_path))
    # Only pages whose scripts exist are registered, so these tests depend only on the pages they test.
    monkeypatch.setattr(state, "PAGES", [p for p in state.PAGES if (ROOT / "pages" / p.file).exists()])
    return tmp_path


def open_build(dataset_ref: dict | None = None, network: dict | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    if dataset_ref is not None:
        at.session_state["dataset_ref"] = dataset_ref
    if network is not None:
        at.session_state["network"] = network
    at.switch_page("../pages/build.py")
    at.run()
    assert not at.exception, at.exception
    return at


def spec(at) -> NetworkSpec:
    return NetworkSpec.from_dict(at.session_state["network"])


def total_shown(at) -> int:
    metric = next(m for m in at.metric if m.label == "Parameters to learn")
    return int(metric.value.replace(",", ""))


def expected_total(network: NetworkSpec, n_in=2, n_out=2, image=None) -> int:
    return parameter_table(network, n_in, n_out, image)[1]


def key(at, i: int, name: str) -> str:
    return f"net_{at.session_state['_net_rev']}_{i}_{name}"


def unescape(text: str) -> str:
    return text.replace("\\", "")


def diagram(at) -> dict:
    return json.loads(next(c for c in at.get("plotly_chart") if c.proto.id.endswith("build_diagram")).proto.spec)


def blocks(figure: dict) -> list[str]:
    """The layer names of a block diagram (its boxes are one bar trace, its names one text trace)."""
    assert [t["type"] for t in figure["data"]][:1] == ["bar"]
    return figure["data"][1]["text"]


def test_starts_with_the_playground_network_its_picture_and_parameter_count(home):
    at = open_build()
    assert at.title[0].value == "Build"
    assert at.session_state["network"] == default_network().to_dict()
    assert total_shown(at) == expected_total(default_network()) == 42
    table = at.dataframe[0].value
    assert list(table["parameters"]) == [12, 20, 10]
    # drawn neuron by neuron: 2 inputs + 4 + 4 + 2 outputs
    nodes = [t for t in diagram(at)["data"] if t["mode"].startswith("markers")]
    assert sum(len(t["x"]) for t in nodes) == 12
    if (ROOT / "pages" / "train.py").exists():
        assert any("train" in l.proto.label.lower() for l in at.get("page_link"))


def picked(at) -> int:
    return at.session_state["net_pick"]


def pick(at, i: int) -> None:
    at.pills(key="net_pick").set_value(i).run()
    assert picked(at) == i


def test_adding_removing_and_reordering_layers(home):
    at = open_build()
    at.button(key="net_add").click().run()
    assert len(spec(at).layers) == 3
    assert picked(at) == 2                                              # the new layer is open
    assert at.pills(key="net_pick").options == ["1 · dense 4 tanh", "2 · dense 4 tanh", "3 · dense 4 tanh"]
    assert total_shown(at) == expected_total(spec(at)) == 62
    pick(at, 0)
    at.number_input(key=key(at, 0, "units")).set_value(6).run()
    assert spec(at).layers[0].units == 6
    assert total_shown(at) == expected_total(spec(at))
    at.button(key=key(at, 0, "down")).click().run()
    assert [l.units for l in spec(at).layers] == [4, 6, 4]
    assert picked(at) == 1 and at.number_input(key=key(at, 1, "units")).value == 6   # the editor follows the move
    at.button(key=key(at, 1, "up")).click().run()
    assert [l.units for l in spec(at).layers] == [6, 4, 4] and picked(at) == 0
    pick(at, 2)
    at.button(key=key(at, 2, "remove")).click().run()
    assert picked(at) == 1
    at.button(key=key(at, 1, "remove")).click().run()
    assert [l.units for l in spec(at).layers] == [6]
    assert total_shown(at) == expected_total(spec(at)) == 2 * 6 + 6 + 6 * 2 + 2
    at.button(key=key(at, 0, "remove")).click().run()
    assert spec(at).layers == [] and total_shown(at) == 6
    assert "linear model" in at.info[0].value
    assert not at.exception


def test_only_the_chosen_layer_has_widgets(home):
    """A click redraws the same few widgets whether the network has 2 layers or 40."""
    def widgets(at):
        return {kind: len(at.get(kind)) for kind in ("selectbox", "number_input", "slider", "checkbox", "button")}

    at = open_build()
    few = widgets(at)
    for _ in range(38):
        at.button(key="net_add").click().run()
    assert len(spec(at).layers) == 40 and picked(at) == 39
    assert widgets(at) == few
    assert len(at.pills(key="net_pick").options) == 40
    assert total_shown(at) == expected_total(spec(at))


def test_an_unsaved_edit_survives_a_structural_click(home):
    at = open_build()
    pick(at, 1)
    at.number_input(key=key(at, 1, "units")).set_value(9)      # typed, then a button is clicked
    at.button(key="net_add").click().run()
    assert [l.units for l in spec(at).layers] == [4, 9, 9]


def test_an_unsaved_edit_survives_choosing_another_layer(home):
    at = open_build()
    at.number_input(key=key(at, 0, "units")).set_value(7)      # typed, then another layer is clicked
    pick(at, 1)
    assert [l.units for l in spec(at).layers] == [7, 4]
    assert at.pills(key="net_pick").options[0] == "1 · dense 7 tanh"
    assert at.number_input(key=key(at, 1, "units")).value == 4


def test_the_open_layer_stays_open_across_pages_and_a_preset_opens_its_first(home):
    at = open_build()
    pick(at, 1)
    at.switch_page("../pages/data.py").run()
    at.switch_page("../pages/build.py").run()
    assert picked(at) == 1 and at.number_input(key=key(at, 1, "units")).value == 4
    at.selectbox(key="preset_choice").set_value("deep_relu").run()
    at.button(key="preset_apply").click().run()
    assert picked(at) == 0 and at.number_input(key=key(at, 0, "units")).value == 16


def test_layer_fields_activation_init_dropout_batchnorm(home):
    at = open_build()
    at.selectbox(key=key(at, 0, "activation")).set_value("relu").run()
    at.selectbox(key=key(at, 0, "init")).set_value("he").run()
    at.slider(key=key(at, 0, "dropout")).set_value(0.25).run()
    at.checkbox(key=key(at, 0, "batch_norm")).check().run()
    layer = spec(at).layers[0]
    assert (layer.activation, layer.init, layer.dropout, layer.batch_norm) == ("relu", "he", 0.25, True)
    assert total_shown(at) == expected_total(spec(at)) == 42 + 8        # batch norm: scale and shift per neuron
    pick(at, 1)
    at.selectbox(key=key(at, 1, "type")).set_value("dropout").run()
    assert spec(at).layers[1].to_dict() == {"type": "dropout", "rate": 0.5}
    at.slider(key=key(at, 1, "rate")).set_value(0.3).run()
    assert spec(at).layers[1].to_dict() == {"type": "dropout", "rate": 0.3}
    assert spec(at).layers[0].batch_norm                                 # the other layer kept its edits


@pytest.mark.parametrize("preset", PRESETS, ids=lambda p: p.key)
def test_applying_each_preset(home, preset):
    ref, n_in, n_classes, image = DATA_FOR[preset.needs]
    at = open_build(ref)
    at.selectbox(key="preset_choice").set_value(preset.key).run()
    at.button(key="preset_apply").click().run()
    assert not at.exception and not at.error
    assert at.session_state["network"] == preset.network().to_dict()
    assert at.session_state["train"] == preset.train_spec().to_dict()
    assert "Applied the preset" in at.success[0].value
    task = "regression" if preset.needs == "regression" else "classification"
    n_out = output_units(task, n_classes, preset.train_spec().loss)
    assert total_shown(at) == expected_total(preset.network(), n_in, n_out, image)


def test_a_preset_without_its_training_settings_leaves_train_alone(home):
    at = open_build()
    at.checkbox(key="preset_with_train").uncheck().run()
    at.selectbox(key="preset_choice").set_value("wide_tanh").run()
    at.button(key="preset_apply").click().run()
    assert at.session_state["network"] == get_preset("wide_tanh").network().to_dict()
    assert "train" not in at.session_state
    assert total_shown(at) == 2 * 64 + 64 + 64 * 2 + 2
    assert blocks(diagram(at)) == ["inputs", "1. dense 64 tanh", "output (2)"]   # 64 neurons: drawn as blocks


def test_presets_that_do_not_fit_the_data_are_explained_and_disabled(home):
    at = open_build()
    at.selectbox(key="preset_choice").set_value("small_cnn").run()
    assert at.button(key="preset_apply").disabled
    assert "image data" in at.warning[0].value
    at.selectbox(key="preset_choice").set_value("regressor").run()
    assert at.button(key="preset_apply").disabled
    assert "regression" in at.warning[0].value


def test_convolutions_are_offered_only_for_image_data(home):
    at = open_build()
    assert "convolution (conv2d)" not in at.selectbox(key=key(at, 0, "type")).options
    at = open_build(builtin("digits"))
    assert {"convolution (conv2d)", "max-pool", "flatten"} <= set(at.selectbox(key=key(at, 0, "type")).options)
    at.selectbox(key=key(at, 0, "type")).set_value("conv2d").run()
    pick(at, 1)
    at.selectbox(key=key(at, 1, "type")).set_value("maxpool2d").run()
    assert at.number_input(key=key(at, 1, "kernel")).value == 2         # a fresh pool halves the image
    network = spec(at)
    assert [l.type for l in network.layers] == ["conv2d", "maxpool2d"]
    assert total_shown(at) == expected_total(network, 64, 10, (1, 8, 8)) == 8 * 9 + 8 + 8 * 4 * 4 * 10 + 10
    assert blocks(diagram(at)) == ["inputs", "1. conv 8×3×3 tanh", "2. max-pool 2×2", "output (10)"]


def test_an_invalid_combination_names_the_layer(home):
    cnn = get_preset("small_cnn").network().to_dict()
    at = open_build(SPIRAL, cnn)                       # a CNN, but the data is a table
    assert not at.exception
    assert any("image data" in unescape(e.value) for e in at.error)
    at = open_build(builtin("digits"), {"layers": [{"type": "dense", "units": 8, "activation": "relu"},
                                                   {"type": "conv2d", "channels": 4}]})
    assert any(unescape(e.value).startswith("Layer 2: a conv2d layer cannot follow") for e in at.error)
    assert at.session_state["network"]["layers"][1]["type"] == "conv2d"      # nothing lost


def test_importing_json_replaces_the_spec_and_bad_json_changes_nothing(home):
    at = open_build()
    before = at.session_state["network"]
    at.file_uploader(key="net_import").set_value(("net.json", b"{not json", "application/json")).run()
    assert any("not valid JSON" in unescape(e.value) and "unchanged" in e.value for e in at.error)
    assert at.session_state["network"] == before
    wrong = {"layers": [{"type": "dense", "units": 0}]}
    at.file_uploader(key="net_import").set_value(("<i>x</i>.json", json.dumps(wrong).encode(), "application/json")).run()
    assert any("Layer 1.units must be a whole number" in unescape(e.value) for e in at.error)
    assert all("<i>" not in e.value for e in at.error)
    assert at.session_state["network"] == before
    good = NetworkSpec.dense([5, 3], "relu")
    at.file_uploader(key="net_import").set_value(("good.json", json.dumps(good.to_dict()).encode(),
                                                  "application/json")).run()
    assert not at.exception and not at.error
    assert at.session_state["network"] == good.to_dict()
    assert total_shown(at) == expected_total(good)
    at.number_input(key=key(at, 0, "units")).set_value(7).run()       # later edits are not overwritten
    assert spec(at).layers[0].units == 7


def test_downloads_hold_the_spec_and_the_pytorch_code(home):
    at = open_build()
    buttons = {b.proto.label: b for b in at.get("download_button")}
    assert set(buttons) >= {"Download spec (JSON)", "Download PyTorch code"}
    assert all(not b.proto.disabled for b in buttons.values())


def test_neuron_and_block_diagrams_are_chosen_by_size():
    from dashboard.build.charts import block_diagram, neuron_columns, neuron_diagram
    from core.model import LayerInfo

    small = [LayerInfo(0, "1. dense 3", "dense", (3,), 9), LayerInfo(1, "output (2)", "output", (2,), 8)]
    assert neuron_columns(2, small) == [2, 3, 2]
    fig = neuron_diagram([2, 3, 2], [np.ones((3, 2)), -np.ones((2, 3))], ["<b>a</b>", "b"], ["no", "yes"])
    texts = [t for trace in fig.data for t in (trace.text or [])]
    assert "&lt;b&gt;a&lt;/b&gt;" in texts and "<b>a</b>" not in texts
    colors = {trace.line.color for trace in fig.data if trace.mode == "lines"}
    assert len(colors) == 2                             # positive and negative weights
    assert neuron_columns(13, small) is None
    big = [LayerInfo(i, f"{i + 1}. dense 4", "dense", (4,), 20) for i in range(6)] + [small[-1]]
    assert neuron_columns(2, big) is None
    fig = block_diagram(2, big)
    assert [t.type for t in fig.data] == ["bar", "scatter", "scatter"]     # three traces at any depth
    assert len(fig.data[0].y) == 8                                          # inputs, 6 layers, output
    assert fig.data[2].text[1] == "4  ·  20 params" and fig.data[2].text[0] == "2 inputs"


def test_a_billion_parameter_network_is_counted_without_making_its_weights(home):
    """64 dense layers of 4,096 units on the digits (4.3 GB of weights if they were made): the page
    shows the count, and the process's peak memory barely moves."""
    import resource

    open_build(builtin("digits"))                           # imports and first-run costs out of the way
    huge = NetworkSpec(layers=[LayerSpec(units=4096) for _ in range(64)])
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    at = open_build(builtin("digits"), huge.to_dict())
    growth = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - before
    assert total_shown(at) == expected_total(huge, 64, 10) == 64 * 4096 + 4096 + 63 * (4096 * 4096 + 4096) + 40970
    assert spec(at) == huge                                 # nothing clamped (the editor takes up to 4,096)
    assert growth < 4 * total_shown(at) / 100


@pytest.mark.parametrize("ref, promised, not_promised", [
    (SPIRAL, "decision boundary", "accuracy"),
    (builtin("digits"), "accuracy rise", "boundary"),
    (builtin("breast_cancer"), "accuracy rise", "boundary"),
    (builtin("regression2d"), "predicted surface", "boundary"),
    (builtin("diabetes"), "R² rise", "boundary"),
], ids=["spiral", "digits", "table", "2-D regression", "regression"])
def test_the_next_step_says_what_the_train_page_will_show(home, ref, promised, not_promised):
    at = open_build(ref)
    text = next(m.value for m in at.markdown if m.value.startswith("**Next:**"))
    assert promised in text and not_promised not in text


@pytest.mark.parametrize("ref, n_out, last", [(SPIRAL, 2, "nn.Linear(8, 2)"), (SPIRAL, 1, "nn.Linear(8, 1)"),
                                              (builtin("regression2d"), 1, "nn.Linear(8, 1)"),
                                              (builtin("digits"), 10, "nn.Linear(8, 10)")])
def test_pytorch_code_ends_in_the_output_layer_counted(ref, n_out, last):
    """The downloaded code has the output layer the page counts: one unit for a two-class bce loss."""
    from core.data import load_dataset
    from dashboard.build.architecture import network_code

    dataset = load_dataset(ref)
    code = network_code(NetworkSpec.dense([8], "tanh"), dataset, n_out)
    compile(code, "network.py", "exec")
    body = code[code.index("nn.Sequential("):]
    assert body.index(last) > body.index("nn.Linear(") and body.count("nn.Linear(") == 2, body[:300]
    assert f"TASK = {dataset.task!r}" in code
