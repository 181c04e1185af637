"""core/runs/people.py and scope.py: who a person is, and which runs they may reach. Real SQLite stores
under tmp_path; the run a student trains on their own upload goes through a real worker process."""
from __future__ import annotations

import stat
import threading

import pytest

from core.data import load_csv, space_folder, uploaded_csvs
from core.runs import (PERSONAL, JoinError, NotYours, Store, StoreError, TokenError, class_keys, executor, join,
                       person_for, scoped, token_for)
from core.spec import NetworkSpec, TrainSpec

NET = NetworkSpec.dense([4], "tanh")

pytestmark = pytest.mark.usefixtures("backend")     # each test on SQLite and on PostgreSQL


def make_run(view, name: str) -> str:
    return view.create_run(name=name, dataset={"kind": "builtin", "name": "spiral"}, network={}, train={},
                           status="finished")


@pytest.fixture
def klass(store):
    """A class in the workspace: two students and the teacher, each with their view of the store."""
    keys = class_keys(store.home)
    ada, bob = join(store, "Ada", keys.code), join(store, "Bob", keys.code)
    teacher = join(store, "Ms Lovelace", keys.teacher_key)
    return keys, {p.name: scoped(store, p) for p in (ada, bob, teacher)}


# ------------------------------------------------------------------ who may reach which run
def test_a_student_lists_only_their_own_runs_and_the_teacher_lists_all(klass):
    _, views = klass
    a1, a2 = make_run(views["Ada"], "a1"), make_run(views["Ada"], "a2")
    b1 = make_run(views["Bob"], "b1")
    assert {r.id for r in views["Ada"].list_runs()} == {a1, a2}
    assert {r.id for r in views["Bob"].list_runs()} == {b1}
    assert {r.id for r in views["Ms Lovelace"].list_runs()} == {a1, a2, b1}
    assert views["Ada"].get_run(a1).owner == views["Ada"].person.id
    assert views["Ms Lovelace"].get_run(b1).name == "b1"


def test_another_persons_run_cannot_be_opened_renamed_stopped_or_deleted(klass, store):
    _, views = klass
    b1 = make_run(views["Bob"], "b1")
    store.add_metrics(b1, [(1, 1, "train_loss", 0.5)])
    ada = views["Ada"]
    for reach in (lambda: ada.get_run(b1), lambda: ada.rename_run(b1, "mine now"), lambda: ada.delete_run(b1),
                  lambda: ada.metrics(b1), lambda: ada.run_dir(b1), lambda: ada.update_run(b1, control="stop"),
                  lambda: executor.stop(ada, b1), lambda: executor.pause(ada, b1), lambda: executor.delete(ada, b1),
                  lambda: executor.resume(ada, b1)):
        with pytest.raises(NotYours, match="belongs to someone else"):
            reach()
    run = store.get_run(b1)
    assert (run.name, run.status, run.control) == ("b1", "finished", "run")
    assert len(store.metrics(b1)) == 1
    assert isinstance(NotYours("x"), StoreError)


def test_a_variant_cannot_be_started_from_another_persons_run(klass):
    _, views = klass
    b1 = make_run(views["Bob"], "b1")
    with pytest.raises(NotYours):
        views["Ada"].create_run(name="copy", dataset={}, network={}, train={}, parent=b1)
    assert [r.name for r in views["Ada"].list_runs()] == []


def test_the_teacher_may_rename_a_students_run(klass, store):
    _, views = klass
    a1 = make_run(views["Ada"], "a1")
    views["Ms Lovelace"].rename_run(a1, "seen by the teacher")
    assert store.get_run(a1).name == "seen by the teacher"


def test_personal_mode_is_the_store_itself(store):
    assert scoped(store, PERSONAL) is store
    run_id = make_run(store, "mine")
    assert store.get_run(run_id).owner is None and [r.id for r in store.list_runs()] == [run_id]


# ------------------------------------------------------------------ joining
def test_joining_needs_the_class_code_or_the_teacher_key(store):
    keys = class_keys(store.home)
    assert join(store, "Cy", keys.code.lower().replace("-", " ")).role == "student"
    assert join(store, "Teach", keys.teacher_key).role == "teacher"
    for wrong in ("", "ABCD-EFGH", keys.teacher_key.upper() + "x"):
        with pytest.raises(JoinError, match="not this class's code"):
            join(store, "Dee", wrong)


def test_names_are_cleaned_bounded_and_one_persons(store):
    code = class_keys(store.home).code
    assert join(store, "  Ada \n\t Lovelace\x00 ", code).name == "Ada Lovelace"
    with pytest.raises(JoinError, match="already joined"):
        join(store, "ada   LOVELACE", code)
    with pytest.raises(JoinError, match="at most 40"):
        join(store, "x" * 41, code)
    with pytest.raises(JoinError, match="Type your name"):
        join(store, " \x07 ", code)


def test_the_teacher_joining_again_is_the_same_teacher(store):
    keys = class_keys(store.home)
    first = join(store, "Ms L", keys.teacher_key)
    assert join(store, "ms l", keys.teacher_key) == first
    with pytest.raises(JoinError, match="already joined"):
        join(store, "Ms L", keys.code)            # a student cannot take the teacher's name (and runs)


def test_class_keys_are_made_once_and_kept_private(home):
    seen = []
    threads = [threading.Thread(target=lambda: seen.append(class_keys(home))) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(seen)) == 1 and seen[0] == class_keys(home)
    assert stat.S_IMODE((home / "class.json").stat().st_mode) == 0o600
    assert seen[0].code != class_keys(home / "other").code


def test_a_damaged_class_file_is_named_with_the_fix(home):
    (home / "class.json").write_text("{not json")
    with pytest.raises(StoreError, match="delete it to make a new class code"):
        class_keys(home)


# ------------------------------------------------------------------ tokens
def test_a_token_names_its_person_and_a_changed_one_is_refused(store, tmp_path):
    ada = join(store, "Ada", class_keys(store.home).code)
    token = token_for(store, ada)
    assert person_for(store, token) == ada
    assert class_keys(store.home).secret.hex() not in token
    pid, sig = token.split(".")
    flipped = "0" if sig[0] != "0" else "1"
    for bad in (f"{pid}.{flipped}{sig[1:]}", f"{pid[:-1]}{'a' if pid[-1] != 'a' else 'b'}.{sig}", pid, "", None,
                f"{pid}.{sig}x"):
        with pytest.raises(TokenError):
            person_for(store, bad)
    with Store(tmp_path / "other") as other:           # another class's server does not know Ada
        with pytest.raises(TokenError):
            person_for(other, token)


def test_a_token_of_someone_who_never_joined_is_refused(store):
    from core.runs import Person
    ghost = Person("ab" * 12, "Ghost", "teacher")
    with pytest.raises(TokenError, match="nobody"):
        person_for(store, token_for(store, ghost))


# ------------------------------------------------------------------ uploads in each person's space
CSV = "x1,x2,label\n" + "".join(f"{i % 7},{(i * 3) % 5},{'yes' if i % 2 else 'no'}\n" for i in range(60))


def test_a_students_upload_is_listed_only_in_their_space_and_trains_in_a_worker(store, wait_for):
    keys = class_keys(store.home)
    ada, bob = join(store, "Ada", keys.code), join(store, "Bob", keys.code)
    ada_space, bob_space = space_folder(store.home, ada.id), space_folder(store.home, bob.id)
    ds = load_csv(CSV, target="label", filename="ada.csv", home=ada_space)
    assert [u.name for u in uploaded_csvs(ada_space)] == ["ada.csv"]
    assert uploaded_csvs(bob_space) == [] and uploaded_csvs(store.home) == []
    view = scoped(store, ada)
    run_id = executor.submit(view, dataset=ds.ref.to_dict(), network=NET, train=TrainSpec(epochs=2), name="a")
    run = executor.wait(view, run_id, timeout=120)
    assert run.status == "finished", run.error
    assert run.owner == ada.id
