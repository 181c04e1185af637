"""dashboard/widgets.py's spec_message: a spec's error as the Build page shows it."""
from __future__ import annotations

import pytest

from core.spec import NetworkSpec, SpecError
from dashboard.widgets import spec_message


def network_error(spec: dict) -> SpecError:
    with pytest.raises(SpecError) as e:
        NetworkSpec.from_dict(spec)
    return e.value


def test_the_layer_an_error_names_is_called_by_its_place_on_the_page():
    error = network_error({"layers": [{"type": "dense", "units": 0}]})
    assert spec_message(error).startswith("Layer 1.units must be a whole number from 1 to 4096 (got 0)")
    error = network_error({"layers": [{"type": "dense"}, {"type": "dense", "neurons": 3}]})
    assert spec_message(error).startswith("Layer 2: unknown field(s) neurons")


def test_only_the_layer_the_error_is_about_is_renamed_not_text_that_looks_like_one():
    error = network_error({"layers": [{"type": "dense", "units": 4, "activation": "layers[0]"}]})
    assert spec_message(error).startswith("Layer 1.activation: unknown activation 'layers[0]'; use one of")


def test_an_error_outside_the_layers_keeps_its_words_with_a_capital():
    assert spec_message(network_error({"layers": [], "output_init": "x"})).startswith("Output_init: unknown")
    assert spec_message(ValueError("the file is empty")) == "The file is empty"
