"""The Build page: design the network layer by layer, or start from a preset, and see it take shape.

The network is st.session_state[keys.NETWORK] (a NetworkSpec dict).

Public surface:
    open_network()                        every run first: the network kept, the open layer's edits folded in
    dataset_to_build_for() -> Dataset     the data that sizes the inputs and the output
    introduction(dataset), next_step_text(dataset)   the page's words about that data
    preset_panel(dataset), apply_preset(key)          ready-made networks
    network_message()                     what the last preset or import did, once
    layers_panel(image_data)              the layer chips, "Add layer" and the chosen layer's editor
    architecture(spec, dataset) -> n_out  the network drawn and counted (None when the layers do not fit)
    downloads(spec, dataset, n_out), import_box()     the spec as JSON and PyTorch code, a spec imported
    starting_weights(spec, dataset, n_out)            one layer's starting weights under each initialisation
    starting_network(spec, dataset)                   the network as a run starts it, drawn neuron by neuron
    charts: neuron_columns, neuron_diagram, block_diagram, init_histograms (pure: plain data in, a plotly figure out)
"""
from .architecture import architecture, dataset_to_build_for
from .charts import block_diagram, init_histograms, neuron_columns, neuron_diagram
from .guide import introduction, next_step_text
from .inits import INIT_EFFECTS, INIT_LABELS, starting_weights
from .layers import layers_panel, open_network
from .presets import apply_preset, network_message, preset_panel
from .sharing import downloads, import_box
from .starting_network import starting_network

__all__ = ["INIT_EFFECTS", "INIT_LABELS", "apply_preset", "architecture", "block_diagram", "dataset_to_build_for",
           "downloads", "import_box", "init_histograms", "introduction", "layers_panel", "network_message",
           "neuron_columns", "neuron_diagram", "next_step_text", "open_network", "preset_panel", "starting_network", "starting_weights"]
