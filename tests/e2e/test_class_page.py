"""The teacher's Class page in a real browser on a class server (`dashboard.serve --class`): a teacher and two
students in three browser contexts. The teacher hands settings out; each student's Train page opens with them
and the students press Start; the teacher's chart shows both students' lines, named on hover, growing while
they train. The Class page is in the teacher's menu alone, and a student who opens its address is told whose
it is."""
from __future__ import annotations

import csv

from core.classroom import hand_out
from core.presets import default_network
from core.runs import ACTIVE, Store, class_keys, join, person_for, scoped, token_for
from core.spec import TrainSpec

from .conftest import STEP_TIMEOUT, nav, wait_idle
from .test_class import class_server, join_as, top_screenshot  # noqa: F401  (the class server fixture)
from .test_train_live import poll, set_number

EPOCHS = 3000                    # long enough to be watched while it trains, stopped at the end
TRACES = """() => {
  const plot = document.querySelector("[data-testid='stMain'] .js-plotly-plot");
  if (!plot || !plot.data || !plot.calcdata) return [];
  // the last epoch plotly drew of each line (its arrays arrive base64-encoded, so read from its calcdata;
  // a line keeps a bounded number of points, so their count can fall as the run goes on)
  return plot.data.map((t, i) => {
    const points = plot.calcdata[i] || [];
    return [t.hovertemplate || "", points.length ? points[points.length - 1].x : -1];
  });
}"""


def menu(page) -> list[str]:
    """The titles of the sidebar's pages (each link's text ends with its title, after its icon's name)."""
    return [t.split("\n")[-1] for t in page.locator("[data-testid='stSidebarNav'] a").all_inner_texts()]


def lines_of(page, names) -> dict | None:
    """{student name: the last epoch of their line} once the chart has a line of each of `names`."""
    found = {}
    for hover, last in page.evaluate(TRACES):
        for name in names:
            if hover.startswith(f"{name} ·") and last >= 0:
                found[name] = last
    return found if set(found) == set(names) else None


def start_with_handout(page, lr: float | None = None) -> None:
    """Open the Train page (with the hand-out's settings), change the learning rate to `lr` if given (the
    hand-out then becomes a button to take it), and press Start."""
    main = nav(page, "Train")
    main.get_by_text("Set by your teacher.").wait_for(timeout=STEP_TIMEOUT)
    if lr is not None:
        set_number(main, "Learning rate", lr)
        main.get_by_role("button", name="Use your teacher's settings").wait_for(timeout=STEP_TIMEOUT)
    wait_idle(page)
    main.get_by_role("button", name="Start training").click()


def test_the_teacher_sees_both_students_lines_live(class_server, browser):
    link, home = class_server
    store = Store(home)
    with_teacher = join(store, "Ms L", class_keys(home).teacher_key)
    hand_out(scoped(store, with_teacher), {"kind": "builtin", "name": "spiral", "params": {"n": 400, "noise": 0.1,
                                                                                            "seed": 0}},
             default_network().to_dict(), TrainSpec(epochs=EPOCHS, lr=0.03).to_dict())
    contexts = [browser.new_context(viewport={"width": 1400, "height": 900}) for _ in range(3)]
    try:
        ada, bob, teacher = (c.new_page() for c in contexts)
        ada_token = join_as(ada, link, "Ada")
        join_as(bob, link, "Bob")
        assert "Class" not in menu(ada)
        start_with_handout(ada)
        start_with_handout(bob, lr=0.003)
        runs = poll(lambda: len([r for r in store.list_runs() if r.status == "running"]) == 2 and store.list_runs(),
                    120, "both students' runs to train")
        assert {r.train["epochs"] for r in runs} == {EPOCHS}                     # the hand-out's settings…
        assert sorted(r.train["lr"] for r in runs) == [0.003, 0.03]              # …and Bob's own learning rate

        base = link.split("/?")[0]
        teacher.goto(f"{base}/class?who={token_for(store, with_teacher)}", wait_until="commit", timeout=60_000)
        main = teacher.locator("[data-testid='stMain']").first
        main.get_by_role("heading", name="Class", exact=True).wait_for(timeout=STEP_TIMEOUT)
        assert "Class" in menu(teacher)
        first = poll(lambda: lines_of(teacher, ["Ada", "Bob"]), 60, "both students' lines on the chart")
        grown = poll(lambda: (now := lines_of(teacher, ["Ada", "Bob"])) and all(now[n] > first[n] for n in now)
                     and now, 60, "the lines to reach later epochs while the runs train")  # no reload: the chart polls
        assert grown
        main.get_by_role("heading", name="Leaderboard").wait_for(timeout=STEP_TIMEOUT)
        top_screenshot(teacher, "class-page", 1700)
        for _ in range(3):        # while three pages poll the server: each press gives the file
            with teacher.expect_download() as got:
                main.get_by_role("button", name="Download the class's results (CSV)").click()
            rows = list(csv.DictReader(open(got.value.path(), encoding="utf-8")))
            assert sorted((r["student"], float(r["lr"])) for r in rows) == [("Ada", 0.03), ("Bob", 0.003)]

        ada.goto(f"{base}/class?who={ada_token}", wait_until="commit", timeout=60_000)
        ada.get_by_text("The Class page is for the teacher").wait_for(timeout=STEP_TIMEOUT)
        assert ada.locator("[data-testid='stMain'] .js-plotly-plot").count() == 0
        assert ada.locator("[data-testid='stException']").count() == 0
        assert person_for(store, ada_token).role == "student"
    except Exception:
        from .conftest import screenshot
        for i, c in enumerate(contexts):
            for p in c.pages:
                screenshot(p, f"class-page-failed-{i}")
        raise
    finally:
        for context in contexts:
            context.close()
        for run in store.list_runs():
            if run.status in ACTIVE:
                store.update_run(run.id, control="stop")
        store.close()
