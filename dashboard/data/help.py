"""The Data page's tooltips, by widget: they teach what each choice does."""

HELP = {
    "source": "Built-in datasets are ready to use. Or bring your own table as a CSV file. "
              "Your uploads lists the CSV files uploaded earlier in this workspace, to use again "
              "without uploading them.",
    "group": "2-D toy sets are drawn as points on a plane, so you can watch the decision boundary form. "
             "Real tables are measured data. Digits are small images. The fairness sets carry a "
             "sensitive column such as sex, for the bias audit.",
    "n": "How many points to generate. More points show the shape better; training takes a little longer.",
    "noise": "How much the points are jittered away from the clean shape. With more noise the classes "
             "overlap, and no network can be perfect.",
    "classes": "How many clusters (one class each).",
    "minority": "The share of the rarest class: 0.5 = both classes equally common, 0.05 = one point in twenty. "
                "With rare positives accuracy lies: a network that always answers the common class scores "
                "95 % at 0.05 and has learnt nothing. Judge it by the rare class's recall and precision "
                "and the PR curve on the Evaluate page, and try class weights on the Train page.",
    "seed": "The random seed: the same seed always gives the same points, so a classroom sees the same data.",
    "bias": "How strongly past (synthetic) decisions penalised one group (women, or group B): 0 = not at all, "
            "1 = strongly. A model trained on these decisions learns the bias — the Fairness page measures it.",
    "scaling": "Networks learn faster when every input has a similar range. Standard: mean 0, spread 1. "
               "Min-max: squeezed into 0..1. None: left as they are (try it to see training struggle).",
    "val_fraction": "Rows held out while training to check the network on data it did not learn from; "
                    "used to spot overfitting and for early stopping.",
    "test_fraction": "Rows kept aside until the very end, for an honest final score.",
    "split_seed": "Which rows go to training, validation and test. Change it to see how much the score "
                  "depends on the luck of the split.",
    "upload": "A text table with a header row, one row per example and one column per attribute. "
              "Comma, semicolon, tab or pipe separated.",
    "target": "The column the network should learn to predict.",
    "task": "Classification predicts a category (e.g. yes/no, a species); regression predicts a number "
            "(e.g. a price). Glassnet guesses from the target column; override it if the guess is wrong.",
    "sensitive": "Columns describing a person (sex, age, ethnicity…) to audit the model's fairness across. "
                 "They stay model inputs unless you also leave them out below.",
    "drop": "Columns the network should not see, e.g. IDs, free text, or information from the future.",
    "uploads": "CSV files uploaded earlier in this workspace, newest first. Pick one to use it again; "
               "its target, task, columns and split start as you last left them.",
    "remove_upload": "Delete this file's copy from the workspace. You will be asked to confirm.",
    "remove_yes": "Delete the copy for good. Runs trained on it stay listed, but cannot be evaluated "
                  "again until the file is uploaded again.",
    "remove_no": "Keep the file in the workspace.",
}
