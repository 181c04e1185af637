"""The browser benchmarks (bench/ui.py) measure what they say, on the real pages: a click on the Build
page's "Add layer" until a new parameter count is drawn, and each Train page control until the page
shows its effect; and every UI figure comes with its baseline and the ratio's spread. No timing is
asserted: only that the measurements ran and saw what they wait for."""
from types import SimpleNamespace

from bench.ui import _PARAMS, build_edits, ui_figures
from bench.ui_live import control_cycle

from .conftest import screenshot, wait_idle

FIGURES = ["cold_start", "page_switch", "build_edit", "control_ack", "ui_metric_latency", "ui_stream_cpu"]


def count(page) -> int:
    text = page.evaluate(_PARAMS)
    assert text is not None, "no parameter count drawn"
    return int(text.replace(",", ""))


def test_build_edits_wait_for_a_new_parameter_count(server, page):
    from core.data import load_builtin
    from core.model import parameter_table
    from core.presets import default_network

    spiral = load_builtin("spiral")
    _, default = parameter_table(default_network(), spiral.n_features, 2, None)
    samples = build_edits(page, server, 2)
    assert len(samples) == 2 and all(ms > 0 for ms in samples)
    wait_idle(page)
    # two layers more than the default network (whatever each one adds): a larger count is drawn
    assert count(page) > default
    assert page.locator("[data-testid='stException']").count() == 0
    screenshot(page, "bench-build-edits")


def test_control_cycle_clicks_each_control_and_waits_for_the_page_to_show_it(server, workspace, page):
    from core.runs import Store

    cycle = control_cycle(page, SimpleNamespace(url=server, home=workspace), ("pause", "step", "step", "resume", "stop"))
    assert [name for name, _ in cycle] == ["pause", "step", "step", "resume", "stop"]
    assert all(ms > 0 for _, ms in cycle)
    store = Store(workspace)
    try:
        run = next(r for r in store.list_runs() if r.name == "controls probe")
        assert run.status == "stopped"
        # the clicks reached the worker, in order: paused, two single steps, resumed, stopped
        kinds = [e["kind"] for e in store.events(run.id) if e["kind"] in ("pause", "step", "resume", "stop")]
        assert kinds[:2] == ["pause", "step"] and kinds.count("step") == 2
        assert kinds.index("resume") > max(i for i, k in enumerate(kinds) if k == "step")
        assert kinds[-1] == "stop"
    finally:
        store.close()
    page.locator("[data-testid='stMain'] .stMarkdownBadge").filter(has_text="stopped").wait_for(timeout=30_000)
    screenshot(page, "bench-train-controls")


def test_quick_ui_figures_report_each_figure_beside_its_baseline(browser):
    result = ui_figures(quick=True, browser=browser)
    for name in FIGURES:
        ratio = result[f"{name}_vs_baseline"]
        # (a server's CPU less its idle CPU can come out at or below 0 on a busy machine: no sign asserted)
        assert ratio["min"] <= ratio["median"] <= ratio["max"] and ratio["repeats"] == 1, (name, ratio)
        assert name == "ui_stream_cpu" or ratio["min"] > 0, (name, ratio)
    for key in ("cold_start_s", "cold_start_s_baseline", "page_switch_ms", "page_switch_ms_baseline",
                "build_edit_ms", "click_baseline_ms", "control_ack_ms", "ui_metric_latency_ms",
                "ui_metric_latency_ms_baseline"):
        figure = result[key]
        assert 0 < figure["min"] <= figure["median"] <= figure["max"], (key, figure)
    assert set(result["control_ack_by_control_ms"]) == {"pause", "step", "resume", "stop"}
    assert result["page_switch_ms"]["repeats"] == 6 and result["build_edit_ms"]["repeats"] == 2
