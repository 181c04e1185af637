"""The race's sentence from its runs' scores: who won and by how much, a lead within noise, runs still training."""
from __future__ import annotations

import pandas as pd

from core.races import verdict
from core.races.result import RaceEntry, noise_of


def entry(label, best, status="finished", noise=0.001, acc=None, epoch=100):
    return RaceEntry(run_id=label.lower(), label=label, value=label.lower(), status=status, epoch=epoch, epochs=100,
                     best_loss=best, best_epoch=epoch, final_loss=best, best_accuracy=acc, final_accuracy=acc,
                     noise=noise)


def test_a_clear_winner_is_named_with_how_many_times_lower_and_the_second():
    entries = [entry("SGD", 0.37), entry("Adam", 0.12), entry("momentum", 0.2)]
    sentence, winner, within = verdict(entries, "val_loss", False, True)
    assert sentence == ("Adam reached the lowest validation loss, 0.12, 3.1× lower than SGD's 0.37; "
                        "momentum was second (0.2).")
    assert winner == "adam" and not within


def test_runs_within_noise_are_said_to_be_so_and_nobody_wins():
    entries = [entry("RMSprop", 0.0221, noise=0.002, acc=0.997), entry("Adam", 0.0230, noise=0.002, acc=0.997),
               entry("SGD", 0.66, acc=0.59), entry("momentum", 0.144, acc=0.97)]
    sentence, winner, within = verdict(entries, "val_loss", True, True)
    assert sentence.startswith("RMSprop and Adam are within noise of each other")
    assert "; next came momentum (0.144); SGD came last at 0.66." in sentence and "another seed" in sentence
    assert sentence.endswith("RMSprop and Adam shared the best validation accuracy, 99.7% (SGD: 59.0%).")
    assert winner is None and within


def test_a_race_still_training_says_so_and_speaks_of_the_standing_so_far():
    entries = [entry("lr=0.1", 0.3, status="running", epoch=40), entry("lr=0.01", 0.5, status="queued", epoch=0)]
    sentence, winner, _ = verdict(entries, "val_loss", False, False)
    assert sentence.startswith("Still training (2 of 2 runs, 1 waiting for a worker), so this may change. So far: ")
    assert "lr=0.1 reached the lowest validation loss" in sentence and winner == "lr=0.1"
    nothing = [entry("a", None, status="queued"), entry("b", None, status="queued")]
    assert verdict(nothing, "val_loss", False, False)[0].startswith("No results yet")


def test_accuracy_is_the_second_opinion_for_classifiers_and_a_diverged_run_is_left_out():
    entries = [entry("Adam", 0.1, acc=0.90), entry("momentum", 0.3, acc=0.95), entry("SGD", None, status="diverged")]
    sentence, winner, _ = verdict(entries, "val_loss", True, True)
    assert "By validation accuracy, though, momentum led: 95.0% against Adam's 90.0%." in sentence
    assert "SGD diverged without a usable loss and is left out." in sentence and winner == "adam"


def test_noise_is_the_wobble_around_the_trend_not_the_trend_itself():
    assert noise_of(pd.Series([1.0 - 0.01 * i for i in range(20)])) < 1e-9
    wobbly = noise_of(pd.Series([0.5 + (0.02 if i % 2 else -0.02) for i in range(20)]))
    assert 0.02 < wobbly < 0.04
    assert noise_of(pd.Series([0.5, 0.4])) is None


def test_a_run_that_diverged_after_a_low_loss_neither_wins_nor_is_the_yardstick():
    entries = [entry("lr=1", 0.05, status="diverged", epoch=20), entry("lr=0.01", 0.44), entry("lr=0.001", 0.61),
               entry("lr=0.1", 0.52)]
    sentence, winner, _ = verdict(entries, "val_loss", False, True)
    assert sentence == ("lr=0.01 reached the lowest validation loss, 0.44, 0.17 lower than lr=0.001's 0.61; "
                        "lr=0.1 was second (0.52). lr=1 diverged at epoch 20.")
    assert winner == "lr=0.01"
    alone = verdict([entry("a", 0.3), entry("b", None, status="failed")], "val_loss", False, True)[0]
    assert alone == "Only a has a validation loss: 0.3. b failed without a usable loss and is left out."
