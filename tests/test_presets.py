"""Network presets: valid specs, sensible training settings, honest 'does it fit' answers."""
import pytest

from core.model import output_units, parameter_table
from core.presets import DEFAULT_PRESET, PRESETS, default_network, get_preset
from core.spec import NetworkSpec, TrainSpec

SHAPES = {"images": (64, "classification", 10, (1, 8, 8)), "binary": (2, "classification", 2, None),
          "regression": (10, "regression", 0, None), "any": (2, "classification", 2, None)}


@pytest.mark.parametrize("preset", PRESETS, ids=lambda p: p.key)
def test_every_preset_builds_on_the_data_it_is_for(preset):
    n_in, task, n_classes, image = SHAPES[preset.needs]
    train = preset.train_spec()
    assert isinstance(train, TrainSpec)
    n_out = output_units(task, n_classes, train.loss)
    infos, total = parameter_table(preset.network(), n_in, n_out, image)
    assert total > 0 and len(infos) == len(preset.layers) + 1
    assert preset.fits(task, n_classes, image is not None) is None
    assert NetworkSpec.from_dict(preset.network().to_dict()).to_dict() == preset.network().to_dict()


def test_the_named_presets_have_the_promised_shapes():
    assert [l.units for l in get_preset("playground").network().layers] == [4, 4]
    binary = get_preset("binary_sigmoid")
    assert [(l.units, l.activation) for l in binary.network().layers] == [(10, "sigmoid")]
    assert binary.train_spec().loss == "bce"
    assert parameter_table(binary.network(), 2, 1)[1] == 2 * 10 + 10 + 10 + 1
    assert [l.units for l in get_preset("regressor").network().layers] == [20]
    assert parameter_table(get_preset("regressor").network(), 10, 1)[1] == 10 * 20 + 20 + 20 + 1
    cnn = [(l.type, l.channels if l.type == "conv2d" else l.kernel if l.type == "maxpool2d" else l.units)
           for l in get_preset("small_cnn").network().layers]
    assert cnn == [("conv2d", 8), ("maxpool2d", 2), ("conv2d", 16), ("maxpool2d", 2), ("dense", 32)]


def test_fits_explains_a_mismatch_in_words():
    assert "image" in get_preset("small_cnn").fits("classification", 2, False)
    assert "two classes" in get_preset("binary_sigmoid").fits("classification", 3, False)
    assert "two classes" in get_preset("binary_sigmoid").fits("regression", 0, False)
    assert "regression" in get_preset("regressor").fits("classification", 2, False)
    assert get_preset("playground").fits("regression", 0, True) is None


def test_presets_hand_out_fresh_copies_and_unknown_names_fail_clearly():
    a = default_network()
    a.layers[0].units = 99
    assert default_network().layers[0].units == 4
    assert default_network().to_dict() == get_preset(DEFAULT_PRESET).network().to_dict()
    with pytest.raises(KeyError, match="playground"):
        get_preset("nope")
    assert len({p.key for p in PRESETS}) == len(PRESETS) and len({p.title for p in PRESETS}) == len(PRESETS)
