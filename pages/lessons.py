"""Lessons: guided experiments with a ready setup and a check of your own runs."""
import streamlit as st

from dashboard.lessons import chosen_lesson, lesson_actions, lesson_problems, lesson_text

st.title("Lessons")
st.caption("Each lesson is one experiment: open its ready setup, train it, change the one thing it names, train "
           "again, then let it check your runs.")
lesson_problems()
left, right = st.columns([1, 2], gap="large")
with left:
    lesson = chosen_lesson()
if lesson is not None:
    with right:
        lesson_text(lesson)
        lesson_actions(lesson)
