"""A stored run explained at one checkpoint: SHAP values of a split, of given rows, across checkpoints
(drift), LIME of a row; results cached as files in the run's folder, keyed by everything that changes them."""
from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .. import shapley
from .attribution import Attribution
from .bounds import check_count
from .cache import cache_key
from .lime_weights import LIME_SAMPLES, LimeResult, lime_row
from .methods import DEFAULT_BACKGROUND, auto_method, background_rows, column_groups, shap_values
from .model import Model, model_of
from .running import Progress, probe_seconds, torch_threads


@dataclass
class RunExplainer:
    """Everything needed to explain one run at one checkpoint, with results cached in its folder."""

    store: object
    run_id: str
    checkpoint: str | int
    loaded: object              # core.runs.LoadedRun
    model: Model
    threads: int | None = None  # torch threads while explaining (1 when training workers are busy)

    @classmethod
    def open(cls, store, run_id: str, checkpoint: str | int = "last") -> "RunExplainer":
        from core.runs import load_run
        loaded = load_run(store, run_id, checkpoint)
        return cls(store, run_id, checkpoint, loaded, model_of(loaded.net, loaded.dataset.class_names))

    @property
    def dataset(self):
        return self.loaded.dataset

    @property
    def is_image(self) -> bool:
        return self.dataset.image_shape is not None

    def _path(self, kind: str, key: str) -> Path:
        return self.store.run_dir(self.run_id) / "explanations" / f"{kind}-{key}.safetensors"

    @staticmethod
    def _may_cache(path: Path) -> bool:
        """Make the run's explanations folder for `path`, unless the run's own folder is gone (the run was
        deleted while this was computed): then nothing is cached, and no folder of the run comes back."""
        try:
            path.parent.mkdir(exist_ok=True)
            return True
        except FileNotFoundError:
            return False

    def rows(self, split: str = "test", limit: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(row ids, model inputs) of a split, the first `limit` rows."""
        check_count("max_explain_rows", limit)
        X, _ = self.dataset.split(split)
        ids = self.dataset.indices(split)
        if limit is not None:
            X, ids = X[:limit], ids[:limit]
        return np.asarray(ids), X

    def shap(self, method: str = "auto", *, split: str = "test", limit: int | None = 1000,
             background: int = DEFAULT_BACKGROUND, seed: int = 0, tolerance: float = shapley.TOLERANCE,
             progress: Progress | None = None, cached_only: bool = False) -> Attribution | None:
        """Global SHAP values of a split's rows; from the cache when this exact request was made before."""
        check_count("max_background", background)
        features, groups, grouped = column_groups(self.dataset)
        method = auto_method(len(groups), self.is_image) if method == "auto" else method
        ids, X = self.rows(split, limit)
        key = cache_key(kind="shap", epoch=self.loaded.epoch, checkpoint=str(self.checkpoint), method=method,
                        split=split, rows=len(ids), background=background, seed=seed,
                        tolerance=tolerance if method == "sampling" else None)
        path = self._path("shap", key)
        if path.exists():
            return Attribution.load(path)
        if cached_only:
            return None
        bg = background_rows(self.dataset, background, seed)
        with torch_threads(self.threads):
            att = shap_values(self.model, X, bg, features, groups, method, rows=ids, tolerance=tolerance,
                              seed=seed, progress=progress, grouped=grouped)
        att.settings.update(split=split, epoch=self.loaded.epoch)
        if self._may_cache(path):
            att.save(path)
        return att

    def shap_rows(self, X: np.ndarray, method: str = "auto", *, background: int = DEFAULT_BACKGROUND,
                  seed: int = 0, tolerance: float = 0.005) -> Attribution:
        """SHAP values of a few given rows (e.g. an edited what-if row), not cached."""
        features, groups, grouped = column_groups(self.dataset)
        method = auto_method(len(groups), self.is_image) if method == "auto" else method
        bg = background_rows(self.dataset, background, seed)
        with torch_threads(self.threads):
            return shap_values(self.model, X, bg, features, groups, method, tolerance=tolerance, seed=seed,
                               grouped=grouped)

    def drift(self, *, rows: int = 200, background: int = 50, progress: Progress | None = None,
              cached_only: bool = False) -> list[dict] | None:
        """Global importance at each saved epoch checkpoint: [{epoch, importance: {column: mean |SHAP|}}]."""
        from core.model import load_checkpoint, model_state
        epochs = sorted({c["epoch"] for c in self.store.checkpoints(self.run_id) if c["kind"] == "epoch"})
        features, groups, grouped = column_groups(self.dataset)
        method = auto_method(len(groups), self.is_image)
        key = cache_key(kind="drift", epochs=epochs, rows=rows, background=background, method=method)
        path = self.store.run_dir(self.run_id) / "explanations" / f"drift-{key}.json"
        if path.exists():
            return json.loads(path.read_text())
        if cached_only:
            return None
        ids, X = self.rows("test", rows)
        bg = background_rows(self.dataset, background, 0)
        net = copy.deepcopy(self.loaded.net)
        out = []
        for i, epoch in enumerate(epochs):
            tensors, _ = load_checkpoint(self.store.checkpoint_path(self.run_id, "epoch", epoch))
            net.load_state_dict(model_state(tensors))
            net.eval()
            with torch_threads(self.threads):
                att = shap_values(model_of(net, self.dataset.class_names), X, bg, features, groups, method,
                                  tolerance=0.03)
            out.append({"epoch": int(epoch), "importance": att.importance()})
            if progress:
                progress((i + 1) / len(epochs))
        if self._may_cache(path):
            path.write_text(json.dumps(out))
        return out

    def lime(self, codes_row: np.ndarray, output: int = 0, *, samples: int = LIME_SAMPLES, seed: int = 0
             ) -> LimeResult:
        return lime_row(self.model, self.dataset, codes_row, output, samples=samples, seed=seed)

    def estimate(self, method: str = "auto", rows: int = 1000, background: int = DEFAULT_BACKGROUND,
                 split: str = "test") -> float:
        """Seconds a `shap` request will take, timed on a few of its rows."""
        _, X = self.rows(split, rows)
        with torch_threads(self.threads):
            return probe_seconds(lambda k: self.shap_rows(X[:k], method, background=background),
                                 len(X))
