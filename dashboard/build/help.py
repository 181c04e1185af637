"""The Build page's tooltips, by widget: they teach what each choice does."""

HELP = {
    "preset": "A ready-made network to start from. Applying one replaces the current layers.",
    "apply_train": "Also use this preset's recommended training settings (learning rate, loss, epochs…) "
                   "on the Train page.",
    "type": "Dense: every neuron sees every output of the previous layer. Conv2d: small filters slide over "
            "the image and detect local patterns. Max-pool: keeps the strongest signal in each small "
            "square, halving the image. Flatten: turns an image into a row of numbers. Dropout: randomly "
            "switches neurons off while training. Batch norm: re-centres and re-scales the signals.",
    "units": "How many neurons this layer has. More neurons can learn more complicated shapes, "
             "but need more data and time and can overfit.",
    "channels": "How many filters this convolution learns; each filter looks for one kind of pattern.",
    "kernel": "The size of the square window (in pixels) the filter or pool looks at.",
    "padding": "Pixels of zeros added around the image so the filter can also look at the border.",
    "activation": "The bend each neuron applies to its sum of inputs. Without it (linear), any stack of "
                  "layers is just one straight-line model. ReLU: max(0, x), fast and common. Tanh and "
                  "sigmoid: smooth S-curves. Leaky ReLU and GELU: ReLU variants that never go fully flat.",
    "init": "How the weights start before training. Xavier suits tanh/sigmoid, He suits ReLU. "
            "Zeros makes every neuron identical — try it to see the network fail to learn.",
    "dropout": "The share of this layer's neurons switched off at random on each training step. It stops "
               "neurons from relying on each other, which fights overfitting. 0 = off.",
    "rate": "The share of signals switched off at random on each training step (only while training).",
    "batch_norm": "Re-centre and re-scale this layer's outputs over each batch. Often lets you use a "
                  "higher learning rate and train deeper networks.",
    "import": "A network saved from Glassnet as JSON (use the download button to see the format).",
}
