"""The hand-out through Streamlit's AppTest: the teacher hands out their settings from the Class page; a
student who has chosen nothing opens the Train, Data and Build pages with them ("Set by your teacher"); a
student who chose their own keeps them and gets a button that takes the hand-out."""
from __future__ import annotations

from streamlit.testing.v1 import AppTest

from core.classroom import current_handout, hand_out
from core.runs import Store, class_keys, join, person_for, scoped, token_for
from core.spec import NetworkSpec, TrainSpec
from tests.helpers_runs import APP, shown

from tests.dashboard.classroom.test_class_page import home  # noqa: F401  (the class-mode workspace)

MOONS = {"kind": "builtin", "name": "moons", "params": {"n": 250, "noise": 0.2, "seed": 3}, "sha256": None,
         "preprocess": {"scaling": "standard", "val_fraction": 0.15, "test_fraction": 0.15, "split_seed": 0}}
NETWORK = NetworkSpec.dense([6, 5], "relu").to_dict()
TRAIN = {**TrainSpec().to_dict(), "optimizer": "sgd", "lr": 0.05, "epochs": 33, "batch_size": 16}


def people(home):
    with Store(home) as store:
        keys = class_keys(home)
        return {"Ada": token_for(store, join(store, "Ada", keys.code)),
                "Teacher": token_for(store, join(store, "Ms L", keys.teacher_key))}


def session(token: str, page: str, state: dict | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["who"] = token
    for key, value in (state or {}).items():
        at.session_state[key] = value
    at.run()
    at.switch_page(f"../pages/{page}.py").run()
    assert not at.exception, at.exception
    return at


def captions(at) -> str:
    return " ".join(shown(c.value) for c in at.caption)


def hand_out_as_teacher(home, token):
    with Store(home) as store:
        hand_out(scoped(store, person_for(store, token)), MOONS, NETWORK, TRAIN)


def test_the_teacher_hands_out_their_settings_from_the_class_page(home):
    tokens = people(home)
    at = session(tokens["Teacher"], "class", {"dataset_ref": MOONS, "network": NETWORK, "train": TRAIN})
    assert "Nothing handed out yet" in captions(at)
    at.button(key="class.hand_out").click().run()
    assert not at.exception, at.exception
    assert any("Handed out" in s.value for s in at.success)
    with Store(home) as store:
        got = current_handout(scoped(store, person_for(store, tokens["Ada"])))
    assert got.settings == (MOONS, NETWORK, TrainSpec.from_dict(TRAIN).to_dict())
    assert "Handed out at" in captions(at) and "Moons" in captions(at)


def test_a_student_who_chose_nothing_opens_the_train_page_with_the_handout(home):
    tokens = people(home)
    hand_out_as_teacher(home, tokens["Teacher"])
    at = session(tokens["Ada"], "train")
    assert at.number_input(key="train.lr").value == 0.05
    assert at.number_input(key="train.epochs").value == 33
    assert at.number_input(key="train.batch_size").value == 16
    assert at.selectbox(key="train.optimizer").value == "sgd"
    assert "Set by your teacher" in captions(at)
    assert "Moons" in " ".join(shown(m.value) for m in at.markdown)            # the data line: the hand-out's
    at.switch_page("../pages/data.py").run()
    assert at.selectbox(key="data_name_2-D toy sets").value == "moons" and "Set by your teacher" in captions(at)
    assert at.slider(key="data_n_moons").value == 250
    at.switch_page("../pages/build.py").run()
    assert not at.exception, at.exception
    assert at.session_state["network"]["layers"] == NETWORK["layers"] and "Set by your teacher" in captions(at)


def test_a_change_after_taking_the_handout_is_the_students_own_at_once(home):
    tokens = people(home)
    hand_out_as_teacher(home, tokens["Teacher"])
    at = session(tokens["Ada"], "train")
    at.number_input(key="train.lr").set_value(0.2).run()
    assert "Set by your teacher" not in captions(at)                           # in the redraw the change made
    assert at.button(key="handout.take") is not None
    at.number_input(key="train.lr").set_value(0.05).run()                      # back to the hand-out's
    assert "Set by your teacher" in captions(at)


def test_a_student_with_settings_of_their_own_keeps_them_and_may_take_the_handout(home):
    tokens = people(home)
    at = session(tokens["Ada"], "train")
    at.number_input(key="train.lr").set_value(0.2).run()
    hand_out_as_teacher(home, tokens["Teacher"])
    at.run()
    assert at.number_input(key="train.lr").value == 0.2                       # theirs, not replaced
    assert "Set by your teacher" not in captions(at)
    at.button(key="handout.take").click().run()
    assert not at.exception, at.exception
    assert at.number_input(key="train.lr").value == 0.05 and at.selectbox(key="train.optimizer").value == "sgd"
    assert "Set by your teacher" in captions(at)
    assert at.session_state["dataset_ref"] == MOONS


def test_a_run_opened_by_its_address_keeps_that_runs_settings(home):
    tokens = people(home)
    with Store(home) as store:
        ada = scoped(store, person_for(store, tokens["Ada"]))
        run_id = ada.create_run(name="mine", dataset=MOONS, network=NETWORK,
                                train=TrainSpec(lr=0.2, epochs=5).to_dict(), status="finished")
    hand_out_as_teacher(home, tokens["Teacher"])
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["who"] = tokens["Ada"]
    at.query_params["run"] = run_id
    at.run()
    at.switch_page("../pages/train.py").run()
    assert not at.exception, at.exception
    assert at.number_input(key="train.lr").value == 0.2 and at.number_input(key="train.epochs").value == 5
    assert at.button(key="handout.take") is not None


def test_a_teacher_and_personal_mode_get_no_handout(home, monkeypatch):
    tokens = people(home)
    hand_out_as_teacher(home, tokens["Teacher"])
    at = session(tokens["Teacher"], "train")
    assert at.number_input(key="train.lr").value == TrainSpec().lr and "Set by your teacher" not in captions(at)
    monkeypatch.setenv("GLASSNET_MODE", "personal")
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.switch_page("../pages/train.py").run()
    assert not at.exception, at.exception
    assert at.number_input(key="train.lr").value == TrainSpec().lr and "Set by your teacher" not in captions(at)
