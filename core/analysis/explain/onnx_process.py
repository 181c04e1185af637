"""An uploaded ONNX model loaded and run in a child process, within bounds (core/limits.py): its size is
checked before it is parsed, it gets one thread and basic graph optimisation, and loading it or predicting
one batch may take at most onnx_seconds — a model that takes longer (a Loop with no useful end, an
allocation without bound) has its process killed and the person is told so, and the server stays free.

OnnxSession answers what the explainers ask of an onnxruntime session: get_inputs(), run(None, feed) and
get_modelmeta().custom_metadata_map. Only arrays, names and numbers cross the pipe."""
from __future__ import annotations

import hashlib
import multiprocessing
from collections import OrderedDict
from dataclasses import dataclass
from types import SimpleNamespace

from ... import limits
from .errors import ExplainError

KEPT = 4                     # sessions kept (each a process), the newest uploads
START_S = 120                # a child process to start and import onnxruntime (not the model's time)


@dataclass(frozen=True)
class NodeArg:
    name: str
    shape: list
    type: str


def check_size(data: bytes) -> None:
    """An ExplainError when the model file is bigger than max_onnx_bytes (before a byte of it is parsed)."""
    if len(data) > limits.current().max_onnx_bytes:
        raise ExplainError(limits.exceeded("max_onnx_bytes", f"The model file is {len(data):,} bytes",
                                           "upload a smaller model"))


def _load(data: bytes):
    import onnxruntime as ort
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_BASIC
    session = ort.InferenceSession(data, options, providers=["CPUExecutionProvider"])
    inputs = [(i.name, list(i.shape), i.type) for i in session.get_inputs()]
    return session, {"inputs": inputs, "meta": dict(session.get_modelmeta().custom_metadata_map)}


def _serve(conn) -> None:
    """The child: say it is ready (onnxruntime imported), load the model, then answer run requests until
    the pipe closes."""
    import onnxruntime  # noqa: F401  (imported before the clock of the load starts)
    conn.send(("ready", None))
    session = None
    while True:
        try:
            kind, value = conn.recv()
        except EOFError:
            return
        try:
            if kind == "load":
                session, answer = _load(value)
            else:
                answer = session.run(None, value)
            conn.send(("ok", answer))
        except Exception as exc:           # onnxruntime's own error types: their first line goes back
            conn.send(("error", f"{type(exc).__name__}: {str(exc).splitlines()[0][:200] if str(exc) else ''}"))


class OnnxSession:
    """A model in its own process; ExplainError when it is too big, cannot be loaded or takes too long."""

    def __init__(self, data: bytes):
        check_size(data)
        context = multiprocessing.get_context("spawn")
        self._conn, child = context.Pipe()
        self._proc = context.Process(target=_serve, args=(child,), daemon=True)
        self._proc.start()
        child.close()
        if not self._conn.poll(START_S):
            self.close()
            raise ExplainError("The model could not be opened: its process did not start; try again.")
        self._conn.recv()
        try:
            info = self._ask(("load", bytes(data)), "load")
        except RuntimeError as exc:
            raise ExplainError(f"That file is not a model onnxruntime can load ({exc}); export it with "
                               "torch.onnx.export or another ONNX exporter and try again.") from None
        self._inputs = [NodeArg(*i) for i in info["inputs"]]
        self._meta = SimpleNamespace(custom_metadata_map=info["meta"])

    def _ask(self, message, doing: str):
        seconds = limits.current().onnx_seconds
        try:
            self._conn.send(message)
            ready = self._conn.poll(seconds)
            kind, value = self._conn.recv() if ready else (None, None)
        except (EOFError, OSError):
            kind, value = "error", "its process ended"
        if kind is None:
            self.close()
            raise ExplainError(
                f"The model took longer than {seconds} s to {doing}; it may loop or allocate without bound. "
                f"Upload a simpler model (whoever runs the server can change "
                f"{limits.Limits.env_name('onnx_seconds')}).")
        if kind == "error":
            raise RuntimeError(value)
        return value

    def get_inputs(self) -> list[NodeArg]:
        return list(self._inputs)

    def get_modelmeta(self):
        return self._meta

    def run(self, output_names, feed: dict) -> list:
        if not self._proc.is_alive():
            raise ExplainError("The model's process has ended (it took too long before); upload the model again.")
        return self._ask(("run", feed), "predict one batch")

    def close(self) -> None:
        if self._proc.is_alive():
            self._proc.kill()
            self._proc.join(5)
        self._conn.close()

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass


_sessions: "OrderedDict[str, OnnxSession]" = OrderedDict()


def bounded_session(data: bytes) -> OnnxSession:
    """The session of these model bytes: one process per model, the newest KEPT models kept loaded."""
    check_size(data)
    key = hashlib.sha256(data).hexdigest()
    session = _sessions.get(key)
    if session is not None and session._proc.is_alive():
        _sessions.move_to_end(key)
        return session
    session = OnnxSession(data)
    _sessions[key] = session
    while len(_sessions) > KEPT:
        _sessions.popitem(last=False)[1].close()
    return session
