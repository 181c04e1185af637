"""The Train page's words: the settings' labels and the help each control gives. No streamlit here."""

OPTIMIZER_LABELS = {"sgd": "SGD (plain gradient descent)", "momentum": "SGD with momentum", "adagrad": "Adagrad",
                    "rmsprop": "RMSprop", "adam": "Adam", "adamw": "AdamW"}
LOSS_LABELS = {"auto": "auto (picked for the task)", "cross_entropy": "cross-entropy",
               "bce": "binary cross-entropy", "mse": "mean squared error", "mae": "mean absolute error",
               "huber": "Huber"}
CLASS_LOSS_LABELS = {"mse": "MSE on one-hot targets"}      # what mse means for a classifier
RESAMPLE_LABELS = {"none": "none", "over": "oversample", "under": "undersample"}
PENALTY_LABELS = {"none": "none", "demographic_parity": "demographic parity (same share predicted favourable)",
                  "equalized_odds": "equalized odds (same error rates)"}
FIELD_LABELS = {"optimizer": "Optimiser", "lr": "Learning rate", "momentum": "Momentum", "nesterov": "Nesterov",
                "loss": "Loss", "l1": "L1 penalty", "l2": "L2 penalty", "class_weights": "Class weights", "resample": "Resampling",
                "batch_size": "Batch size", "epochs": "Epochs", "grad_clip": "Gradient clipping",
                "early_stopping": "Early stopping", "seed": "Seed", "device": "Device",
                "sensitive": "Sensitive column", "reweigh": "Reweighing", "fairness_penalty": "Fairness penalty",
                "fairness_lambda": "Penalty weight λ"}
HELP = {
    "optimizer": "How the weights are nudged after each batch. Adam adapts the step size of every weight and "
                 "is a safe first choice; plain SGD takes the same small step everywhere, which is easiest to "
                 "understand; momentum keeps some of the previous step, like a ball rolling downhill.",
    "lr": "The size of each step the optimiser takes downhill on the loss. Too small: learning crawls. "
          "Too large: the loss jumps around or explodes. Try 0.01 with Adam, 0.1 with SGD. You can change it "
          "while the network trains.",
    "momentum": "How much of the previous step is kept (0 = none, 0.9 = a lot). It smooths the path and "
                "speeds up travel along long, gentle valleys.",
    "nesterov": "Looks ahead along the momentum before measuring the slope; often a little steadier.",
    "batch_size": "How many examples the network looks at before each weight update. Small batches give "
                  "noisy but frequent steps; large batches give smooth but fewer steps per epoch.",
    "epochs": "How many times the network sees the whole training set.",
    "loss": "What the network is punished for. 'auto' picks cross-entropy for classes and mean squared "
            "error for numbers.",
    "class_mse": " 'MSE on one-hot targets' squares the gap between each class's probability and 1 for the true "
                 "class, 0 for the others. Cross-entropy usually learns faster: when the softmax saturates on a "
                 "wrong answer (a probability near 0 for the true class), the squared error's gradient vanishes "
                 "— the network barely moves — while cross-entropy's stays large, pushing hardest where the "
                 "network is most wrong.",
    "l1": "Adds the sum of the weights' sizes to the loss, pushing unneeded weights to exactly zero. "
          "0 = off; try 0.0001.",
    "l2": "Adds the weights' squares to the loss (weight decay), keeping all weights small so the "
          "decision boundary stays smooth. 0 = off; try 0.001.",
    "class_weights": "'balanced' makes mistakes on rare classes count more, so the network cannot ignore them.",
    "resample": "Another way to stop the network ignoring a rare class: change how many training rows each class "
                "has. 'over' repeats rows of the rarer classes (drawn at random, with repeats) until every class "
                "has as many as the commonest; 'under' keeps, at random, only as many rows of each class as the "
                "rarest has (less to learn from, but faster). Only the training rows change: validation and test "
                "rows stay as they come, so the scores stay honest. The seed fixes which rows are drawn.",
    "grad_clip": "Caps how large a single update can be (the gradient's norm). Rescues training when the "
                 "loss suddenly explodes. 0 = off; try 1.",
    "early_stopping": "Stop when the validation loss has not improved for this many epochs, before the "
                      "network starts memorising the training set. 0 = off.",
    "seed": "Fixes the random start (initial weights, batch order). The same seed gives the same run again.",
    "device": "Where the maths runs. 'auto' uses a GPU when one was found, else the CPU. Small networks "
              "train about as fast on a CPU.",
    "smoothing": "Averages the noisy per-step loss over recent steps so the trend is easier to see. "
                 "0 = raw values.",
    "live_lr": "Change the learning rate while the network trains; the change is marked on the loss curve.",
    "sensitive": "The column describing a person (e.g. sex) whose groups are compared after each evaluated "
                 "epoch; reweighing and the penalty act on these groups.",
    "reweigh": "Reweighing gives rows weights so that every group has the same share of each label: rows of "
               "a group that rarely got the favourable label count more where they did, so the network cannot "
               "learn the old imbalance from the labels alone.",
    "fairness_penalty": "The penalty adds λ × the gap in average predicted probability between groups to the "
                        "loss: higher λ, fairer, usually less accurate. Demographic parity compares all rows of "
                        "each group; equalized odds compares rows with the same true label (error rates).",
    "fairness_lambda": "λ: how much the gap between groups counts against the loss. 0 = not at all, 1 = a good "
                       "start; higher λ, fairer, usually less accurate.",
    "fair_gaps": "How differently the network treats the groups, measured on the validation rows after each "
                 "evaluated epoch: the largest difference between any two groups. 0 = every group alike. "
                 "Demographic parity compares the share predicted favourable (e.g. approved); equal "
                 "opportunity the share of truly favourable rows found; equalized odds also the false alarms.",
    "fair_metric": "Which number to compare across the groups, epoch by epoch: how often the network is right "
                   "for each group, how often it predicts the favourable outcome, or each group's loss.",
    "fair_tradeoff": "Each point is one evaluated epoch: how accurate the network was (across) against the "
                     "demographic parity gap (up). Training usually moves right; a fairness penalty pulls the "
                     "path down. The star is the latest epoch.",
}
