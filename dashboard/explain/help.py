"""The Explain page's tooltips, by widget: they teach what each choice does."""

HELP = {
    "run": "A trained run to explain. Runs that are still training appear once they finish or are stopped.",
    "checkpoint": "Which saved weights to explain: those after the last epoch, those of the epoch with the "
                  "lowest validation loss, or an earlier saved epoch (to see what the network relied on then).",
    "class": "Explanations answer one question at a time: what pushes the network towards this class? "
             "Pick the class whose log-odds, log(p / (1 − p)), are explained on every chart.",
    "method": "How the SHAP values are computed. SHAP shares a prediction out among the columns, fairly: "
              "each column gets its average effect over every order in which the columns could be "
              "revealed to the network. The methods differ in speed and accuracy:",
    "split": "Which rows to explain. Test rows were never used in training: they show how the network "
             "behaves on new data. Training rows show what it learned from.",
    "rows": "How many rows to explain (the first ones of the split). More rows give a fuller picture and "
            "take longer; lower it when the estimated time is long.",
    "background": "A 'missing' column is filled in from these training rows, and the average output over them "
                  "is the starting point (base value) every explanation begins from. More rows are more "
                  "accurate and slower; 50–100 is usually enough.",
    "compute": "Hand the computation to a worker of the server. Its place in line, then a progress bar, show how "
               "far it is; Cancel stops it. You may leave the page meanwhile: the result is shown when you return.",
    "feature": "The column whose effect is plotted against its value.",
    "colour": "Colour each dot by this second column's value, to spot interactions: if the colours separate "
              "vertically, the first column's effect depends on the second.",
    "row_list": "Where to find an interesting row. Most confident mistakes: wrong answers given with high "
                "probability. Least confident: rows the network hesitates on. Largest errors: the biggest "
                "misses of a number.",
    "row": "The row to explain, by its number in the original table. Type to search.",
    "whatif_category": "Pick another category to see how the prediction and the explanations change.",
    "whatif_number": "Type another value to see how the prediction and the explanations change. "
                     "In the training rows this column ranges from {lo} to {hi}.",
    "whatif_reset": "Undo every edit: show the row as it is in the data.",
    "stability": "LIME draws random samples, so another random seed can give other weights. This runs LIME "
                 "five times with different seeds and shows how much each weight moves.",
    "other_class": "A second class to compare with the predicted one: where does the network see evidence "
                   "for it, and against it?",
    "drift": "Explain the network as it was at each saved checkpoint (the same rows each time) and rank the "
             "columns by importance, to see when it began relying on each.",
    "byo_model": "A model saved in the ONNX format, which takes one input per column by name (as "
                 "Glassnet's exports and skl2onnx pipelines do) or one matrix of numbers (a row per "
                 "example). Export from PyTorch with torch.onnx.export, from scikit-learn with skl2onnx. "
                 "The file is run by onnxruntime, never unpickled.",
    "byo_csv": "A table with a header row, plus the target column if you have it. For a model with one "
               "input per column: the original columns by name (other columns are left out). For a model "
               "with one input matrix: one column per model input, in the model's order and already "
               "prepared the way the model expects (scaled, encoded as numbers).",
    "byo_target": "The column the model predicts. It is left out of the model's inputs; every other column "
                  "goes in. Choose (none) when the table holds inputs only.",
    "byo_output": "The model returns several numbers per row (e.g. one probability per class): pick the one "
                  "to explain.",
    "byo_row": "The row to explain step by step, counting from 0 (the first data row of the file).",
}
