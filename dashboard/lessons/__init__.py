"""The Lessons page: the guided lessons (core.lessons), one opened at a time — its text, what to change, the
question; a button that puts its ready setup in the session and goes to Train; a button that checks this
person's runs against it and says why in one sentence; for a class's teacher, a button that hands it out.

Session keys (here, beside the page's widgets): LESSON_PICK the lesson open (also the URL's ?lesson=), LESSON_VERDICTS
{lesson name: (passed, sentence)} of the checks made in this session.
"""
from __future__ import annotations

import streamlit as st

from core.lessons import Lesson, check_runs, lessons
from dashboard import keys, people
from dashboard.state import page, store, workspace
from dashboard.text import md_plain as md

LESSON_PICK = "lessons.pick"                # the lesson open (a radio)
LESSON_OPEN = "lessons.open"                # the button that opens its ready setup
LESSON_CHECK = "lessons.check"              # the button that checks this person's runs
LESSON_HAND_OUT = "lessons.hand_out"        # the teacher's button that hands the lesson out
LESSON_KEPT = "_lessons_kept"               # that choice, kept while another page is shown
LESSON_VERDICTS = "_lessons_verdicts"       # {lesson name: (passed, sentence)} of this session's checks

__all__ = ["chosen_lesson", "lesson_actions", "lesson_problems", "lesson_text"]


def _all() -> tuple[list[Lesson], list]:
    return lessons(workspace().home)


def lesson_problems() -> None:
    """The lesson files that cannot be read, each named with its field (the others are listed all the same)."""
    for problem in _all()[1]:
        st.warning(md(f"{problem}"), icon=":material/warning:")


def chosen_lesson() -> Lesson | None:
    """The lesson picked in the list (the URL's ?lesson= opens one)."""
    found = _all()[0]
    if not found:
        st.info("There are no lessons to show.")
        return None
    names = [one.name for one in found]
    wanted = st.query_params.get("lesson") or st.session_state.get(LESSON_KEPT)
    if LESSON_PICK not in st.session_state and wanted in names:
        st.session_state[LESSON_PICK] = wanted
    titles = {one.name: f"{i}. {one.title}" for i, one in enumerate(found, 1)}
    name = st.radio("Lesson", names, key=LESSON_PICK, format_func=titles.get, label_visibility="collapsed")
    st.query_params["lesson"] = st.session_state[LESSON_KEPT] = name
    return next(one for one in found if one.name == name)


def lesson_text(lesson: Lesson) -> None:
    st.subheader(md(lesson.title))
    st.markdown(md(lesson.text))
    st.markdown(f"**What to change:** {md(lesson.change)}")
    st.markdown(f"**Question:** {md(lesson.question)}")


def open_setup(lesson: Lesson) -> None:
    """Put the lesson's data, network and training settings in the session, as a hand-out does: the Data and
    Build pages' widgets start again from them."""
    from dashboard.classroom.prefill import DATA_WIDGETS
    for key, value in zip((keys.DATASET_REF, keys.NETWORK, keys.TRAIN_SPEC), lesson.settings):
        st.session_state[key] = dict(value)
    for key in DATA_WIDGETS:
        st.session_state.pop(key, None)
    for key in [k for k in st.session_state if isinstance(k, str) and k.startswith("data_name_")]:
        del st.session_state[key]
    st.session_state[keys.NET_REV] = st.session_state.get(keys.NET_REV, 0) + 1
    st.session_state[keys.NET_PICK] = 0


def check_mine(lesson: Lesson) -> tuple[bool, str]:
    """The lesson's check on this person's runs (a student's own; the teacher's and personal mode's: all)."""
    from core.data import DataError
    from core.runs import StoreError
    view = store()
    try:
        verdict = check_runs(lesson, view, view.list_runs())
    except (StoreError, DataError, OSError) as e:
        return False, f"Your runs could not be read: {e}"
    return verdict.passed, verdict.sentence


def _check_clicked(lesson: Lesson) -> None:
    st.session_state.setdefault(LESSON_VERDICTS, {})[lesson.name] = check_mine(lesson)


def lesson_actions(lesson: Lesson) -> None:
    """Open the setup (and go to Train), check my runs, and the check's sentence; the answer once passed."""
    left, right = st.columns(2)
    if left.button("Open the ready setup", key=LESSON_OPEN, icon=":material/play_circle:", type="primary",
                   width="stretch", help="Your data, network and training settings become the lesson's; "
                   "your runs are not touched. Then train it on the Train page."):
        open_setup(lesson)
        st.switch_page(page("Train"))
    right.button("Check my runs", key=LESSON_CHECK, icon=":material/task_alt:", width="stretch",
                 on_click=_check_clicked, args=(lesson,),
                 help="Looks through your runs for the ones this lesson asks for.")
    verdict = st.session_state.get(LESSON_VERDICTS, {}).get(lesson.name)
    if verdict is not None:
        passed, sentence = verdict
        (st.success if passed else st.info)(md(sentence), icon=":material/check_circle:" if passed else
                                            ":material/hourglass_top:")
        if passed and lesson.answer:
            st.markdown(f"**Why:** {md(lesson.answer)}")
    _teacher_hand_out(lesson)


def _teacher_hand_out(lesson: Lesson) -> None:
    """A class's teacher may hand the lesson's setup out to every student (core.classroom.handout)."""
    if not people.class_mode():
        return
    person = people.session_person(workspace())
    if person is None or person.role != "teacher":
        return
    if st.button("Hand this lesson's setup out to the class", key=LESSON_HAND_OUT, icon=":material/school:",
                 help="Students who have not chosen settings of their own get it on their Data, Build and Train "
                      "pages; the others get a button to take it."):
        from core.classroom import HandoutError, hand_out
        try:
            hand_out(store(), *lesson.settings)
        except HandoutError as e:
            st.error(md(e))
        else:
            st.success("Handed out: tell the class to open the Lessons page and this lesson.")
