"""A long run in a real browser: the Train page opened on a finished run whose step losses were thinned and
whose rows are more than one poll reads still draws the whole run, from its first epoch to its last, and
its settings boxes keep the run's values over the rerun that ends the reading."""
from __future__ import annotations

import pytest

from .conftest import screenshot, wait_idle

TIMEOUT = 90_000
EPOCHS = 430                  # spiral at batch 4: 70 steps an epoch, 30,100 steps — past 20,000 step losses

LOSS_X = """() => {
  for (const el of document.querySelectorAll('.js-plotly-plot')) {
    for (const t of (el._fullData || [])) {
      if (t.name === 'loss per step' && t.x && t.x.length) {
        let lo = Infinity, hi = -Infinity;
        for (const x of t.x) { lo = Math.min(lo, x); hi = Math.max(hi, x); }
        return [lo, hi];
      }
    }
  }
  return null;
}"""


@pytest.fixture(scope="module")
def long_run(workspace):
    from core.data import load_builtin
    from core.model import network_for
    from core.runs import Store
    from core.spec import NetworkSpec, TrainSpec
    from core.training import StoreRecorder, Trainer, seed_everything
    ds, net = load_builtin("spiral"), NetworkSpec.dense([16, 16], "tanh")
    spec = TrainSpec(epochs=EPOCHS, batch_size=4, lr=0.01, seed=0, device="cpu")
    with Store(workspace) as store:
        run_id = store.create_run(name="a long run", dataset=ds.ref.to_dict(), network=net.to_dict(),
                                  train=spec.to_dict(), status="running")   # trained here, not by the pool
        seed_everything(0)
        Trainer(network_for(net, ds), ds, spec, callbacks=[StoreRecorder(store, run_id)]).fit()
        rows = store.db.execute("SELECT count(*) FROM metrics WHERE run=?", (run_id,)).fetchone()[0]
        losses = store.db.execute("SELECT count(*) FROM metrics WHERE run=? AND name='loss'", (run_id,)).fetchone()[0]
    assert losses <= 20_000 < EPOCHS * 70 and rows > 20_000     # thinned, and more than two polls read
    return run_id


def test_the_train_page_draws_a_long_thinned_run_whole(server, page, long_run):
    page.goto(f"{server}/train?run={long_run}")
    main = page.locator("[data-testid='stMain']").first
    main.locator(".js-plotly-plot").first.wait_for(timeout=TIMEOUT)
    page.wait_for_function(f"() => {{ const r = ({LOSS_X})(); return r && r[1] >= {EPOCHS} - 0.01; }}",
                           timeout=TIMEOUT)
    wait_idle(page)
    first, last = page.evaluate(LOSS_X)
    assert first <= 1 and last == pytest.approx(EPOCHS, abs=0.01)   # from the first epoch to the last
    # the page reran itself once the run was read to its end: the settings still show the run's
    assert main.get_by_role("spinbutton", name="Epochs", exact=True).input_value() == str(EPOCHS)
    assert main.get_by_role("spinbutton", name="Batch size", exact=True).input_value() == "4"
    chart = main.locator("[data-testid='stPlotlyChart']").filter(
        has=page.locator("text", has_text="loss per step")).first
    screenshot(page, "train-long-run-loss", chart)
    screenshot(page, "train-long-run")
