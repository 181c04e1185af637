"""How an explanation runs: the seconds it will take, measured on a few rows; torch's threads while it runs;
the progress it reports."""
from __future__ import annotations

import time
from contextlib import contextmanager
from typing import Callable

Progress = Callable[[float], None]         # called with the share done, 0..1


def probe_seconds(explain_rows: Callable[[int], object], rows: int, quick: float = 1.5) -> float:
    """Seconds an explanation of `rows` rows will take, from timing the real computation on 1 and then
    3 rows: a fixed cost (set-up, first imports, warm-up) plus a cost per row. Timing the model alone
    was 10-40x off on a busy machine, so the estimate measures the work itself."""
    t0 = time.perf_counter()
    explain_rows(1)
    one = time.perf_counter() - t0
    if rows <= 1:
        return one
    if one * rows <= quick or one > 2 * quick:           # clearly quick, or one row alone is slow already
        return one * rows
    k = min(3, rows)
    t0 = time.perf_counter()
    explain_rows(k)
    more = time.perf_counter() - t0
    # the first call may carry one-off costs: then the second alone sets the pace
    per_row = (more - one) / (k - 1) if more > one else more / k
    fixed = max(0.0, min(one, more) - per_row)
    return fixed + per_row * rows


@contextmanager
def torch_threads(n: int | None):
    """Run torch with `n` threads inside the block (None: leave as is). While training workers use
    the cores, one thread explains several times faster than two that fight them for the CPU."""
    import torch
    if not n:
        yield
        return
    before = torch.get_num_threads()
    torch.set_num_threads(int(n))
    try:
        yield
    finally:
        torch.set_num_threads(before)
